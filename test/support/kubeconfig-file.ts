import { writeFileSync } from "node:fs";

/** A kubeconfig with one cluster and a bearer token, as memops reads it from KUBECONFIG. */
export function writeKubeconfig(
  file: string,
  { server, token = "unused", skipVerify = false }: { server: string; token?: string; skipVerify?: boolean },
): string {
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}"${skipVerify ? ", insecure-skip-tls-verify: true" : ""} } }]
users: [{ name: memops, user: { token: "${token}" } }]
contexts: [{ name: c, context: { cluster: c, user: memops } }]
current-context: c
`,
  );
  return file;
}
