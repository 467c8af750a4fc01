/**
 * Where the API server is and how memops proves who it is: a kubeconfig file's current context, or the
 * pod's service account. memops's own reader, so serving does not load client-node (whose every entry
 * point, KubeConfig included, loads all of its 1,371 generated models: ~80 MB and ~0.7 s).
 * Supported: server, certificate-authority(-data), insecure-skip-tls-verify, token, tokenFile,
 * client-certificate(-data), client-key(-data), and exec credential plugins (client.authentication.k8s.io).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";

const run = promisify(execFile);

export interface ExecPlugin {
  command: string;
  args: string[];
  env: Record<string, string>;
  apiVersion: string;
}

export interface KubeTarget {
  server: string;
  ca?: string;
  insecure: boolean;
  cert?: string;
  key?: string;
  /** a fixed bearer token; or a file re-read as it rotates (a service account's projected token) */
  token?: string;
  tokenFile?: string;
  exec?: ExecPlugin;
}

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";

type Named<T> = { name: string } & T;
interface KubeconfigFile {
  "current-context"?: string;
  clusters?: Named<{ cluster: Record<string, unknown> }>[];
  users?: Named<{ user: Record<string, unknown> }>[];
  contexts?: Named<{ context: { cluster: string; user: string } }>[];
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The current context of a kubeconfig file; relative paths in it are relative to the file. */
export function fromKubeconfig(file: string): KubeTarget {
  const doc = parse(readFileSync(file, "utf8")) as KubeconfigFile | null;
  const at = (p: string) => (isAbsolute(p) ? p : join(dirname(file), p));
  const contextName = doc?.["current-context"];
  const context = doc?.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`${file}: no current context`);
  const cluster = doc?.clusters?.find((c) => c.name === context.cluster)?.cluster;
  const user = doc?.users?.find((u) => u.name === context.user)?.user ?? {};
  const server = str(cluster?.["server"]);
  if (!cluster || !server) throw new Error(`${file}: the current context's cluster has no server`);
  const data = (obj: Record<string, unknown>, key: string) => {
    const inline = str(obj[`${key}-data`]);
    if (inline) return Buffer.from(inline, "base64").toString("utf8");
    const path = str(obj[key]);
    return path ? readFileSync(at(path), "utf8") : undefined;
  };
  const exec = user["exec"] as
    { command?: string; args?: string[]; env?: { name: string; value: string }[]; apiVersion?: string } | undefined;
  const tokenFile = str(user["tokenFile"]);
  return {
    server: server.replace(/\/+$/, ""),
    ca: data(cluster, "certificate-authority"),
    insecure: cluster["insecure-skip-tls-verify"] === true,
    cert: data(user, "client-certificate"),
    key: data(user, "client-key"),
    token: str(user["token"]),
    ...(tokenFile ? { tokenFile: at(tokenFile) } : {}),
    ...(exec?.command
      ? {
          exec: {
            command: exec.command,
            args: exec.args ?? [],
            env: Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
            apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1",
          },
        }
      : {}),
  };
}

/** The pod's own service account, as every in-cluster client finds it. */
function inCluster(env: Record<string, string | undefined>): KubeTarget | null {
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"] ?? "443";
  if (!host) return null;
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    ca: readFileSync(`${SA}/ca.crt`, "utf8"),
    insecure: false,
    tokenFile: `${SA}/token`,
  };
}

/** As kubectl looks: a given file, then $KUBECONFIG (its first file), ~/.kube/config, then in-cluster. */
export function loadKubeTarget(file: string | undefined, env: Record<string, string | undefined>): KubeTarget {
  if (file) return fromKubeconfig(file);
  const fromEnv = env["KUBECONFIG"]?.split(":").find(Boolean);
  if (fromEnv) return fromKubeconfig(fromEnv);
  const pod = inCluster(env);
  if (pod) return pod;
  return fromKubeconfig(join(homedir(), ".kube", "config"));
}

interface ExecCredential {
  status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string };
}

/** Runs an exec credential plugin; its answer is kept until it expires (or for a minute without expiry). */
export function execCredentials(plugin: ExecPlugin): () => Promise<{ token?: string; cert?: string; key?: string }> {
  let cached: { until: number; value: { token?: string; cert?: string; key?: string } } | null = null;
  return async () => {
    if (cached && Date.now() < cached.until) return cached.value;
    const { stdout } = await run(plugin.command, plugin.args, {
      env: {
        ...process.env,
        ...plugin.env,
        KUBERNETES_EXEC_INFO: JSON.stringify({
          apiVersion: plugin.apiVersion,
          kind: "ExecCredential",
          spec: { interactive: false },
        }),
      },
      timeout: 30_000,
    });
    const s = (JSON.parse(stdout) as ExecCredential).status ?? {};
    const value = {
      ...(s.token ? { token: s.token } : {}),
      ...(s.clientCertificateData ? { cert: s.clientCertificateData } : {}),
      ...(s.clientKeyData ? { key: s.clientKeyData } : {}),
    };
    const expires = s.expirationTimestamp ? Date.parse(s.expirationTimestamp) - 60_000 : Date.now() + 60_000;
    cached = { until: expires, value };
    return value;
  };
}
