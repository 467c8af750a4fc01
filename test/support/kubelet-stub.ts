/**
 * Stands in for kubelets' /containerLogs endpoint: the real API server proxies
 * readNamespacedPodLog to https://<node InternalIP>:<kubeletEndpoint.Port>/containerLogs/{ns}/{pod}/{container}.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** "ns/pod/container" and "ns/pod/container/previous" → log text */
export type Logs = Record<string, string>;

export async function startKubeletStub(dir: string, logs: Logs): Promise<{ port: number; server: Server }> {
  const cert = join(dir, "kubelet.crt"),
    key = join(dir, "kubelet.key");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      "/CN=kubelet",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const previous = url.searchParams.get("previous") === "true";
    const text = m ? logs[`${m[1]}/${m[2]}/${m[3]}${previous ? "/previous" : ""}`] : undefined;
    if (text === undefined) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(previous ? "previous terminated container not found" : "container not found");
      return;
    }
    const tail = Number(url.searchParams.get("tailLines") ?? "0");
    const lines = text.split("\n");
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(tail > 0 ? lines.slice(-tail).join("\n") : text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { port: (server.address() as AddressInfo).port, server };
}
