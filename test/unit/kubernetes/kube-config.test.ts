import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execCredentials, fromKubeconfig, loadKubeTarget } from "../../../src/kubernetes/kube-config.ts";

const dir = mkdtempSync(join(tmpdir(), "memops-kubeconfig-"));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("memops's kubeconfig reader", () => {
  it("reads the current context: server, inline CA and client certificate, token", () => {
    const file = write(
      "inline.yaml",
      `apiVersion: v1
kind: Config
current-context: prod
clusters:
  - { name: other, cluster: { server: "https://other:6443" } }
  - { name: prod, cluster: { server: "https://prod.example:6443/", certificate-authority-data: ${b64("CA PEM")} } }
users:
  - { name: memops, user: { token: t0k3n, client-certificate-data: ${b64("CERT PEM")}, client-key-data: ${b64("KEY PEM")} } }
contexts:
  - { name: prod, context: { cluster: prod, user: memops } }
`,
    );
    expect(fromKubeconfig(file)).toEqual({
      server: "https://prod.example:6443",
      ca: "CA PEM",
      insecure: false,
      cert: "CERT PEM",
      key: "KEY PEM",
      token: "t0k3n",
    });
  });

  it("resolves file paths relative to the kubeconfig, reads a token file, and skips TLS verification only when told", () => {
    write("ca.crt", "CA FROM FILE");
    const file = write(
      "paths.yaml",
      `current-context: c
clusters: [{ name: c, cluster: { server: "https://c:6443", certificate-authority: ca.crt, insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { tokenFile: token } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
`,
    );
    expect(fromKubeconfig(file)).toMatchObject({ ca: "CA FROM FILE", insecure: true, tokenFile: join(dir, "token") });
    expect(loadKubeTarget(undefined, { KUBECONFIG: `${file}:/elsewhere` }).server).toBe("https://c:6443");
  });

  it("refuses a kubeconfig without a current context or server, naming the file", () => {
    const file = write("empty.yaml", "clusters: []\n");
    expect(() => fromKubeconfig(file)).toThrow(`${file}: no current context`);
  });

  it("runs an exec credential plugin and keeps its token until it expires", async () => {
    const counter = join(dir, "calls");
    const plugin = write(
      "plugin.sh",
      `#!/bin/sh
echo x >> ${counter}
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin-'$PLUGIN_ARG'","expirationTimestamp":"2999-01-01T00:00:00Z"}}'
`,
    );
    chmodSync(plugin, 0o755);
    const file = write(
      "exec.yaml",
      `current-context: c
clusters: [{ name: c, cluster: { server: "https://c:6443" } }]
users: [{ name: u, user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: ${plugin}, env: [{ name: PLUGIN_ARG, value: "42" }] } } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
`,
    );
    const target = fromKubeconfig(file);
    const creds = execCredentials(target.exec!);
    expect(await creds()).toEqual({ token: "from-plugin-42" });
    expect(await creds()).toEqual({ token: "from-plugin-42" });
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1);
  });
});
