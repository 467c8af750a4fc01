/**
 * `memops serve` as its own process runs a whole diagnosis — a signed slash command in, Prometheus
 * queried, the API server tried, the report posted to Slack — without loading Node's bundled undici
 * (issue 13: +8 to +17 MiB resident for an HTTP stack memops does not need; memops's HTTP goes through
 * node:http and node:https). A preload reports, at exit, whether undici was ever loaded.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import { SignedRequests } from "../../src/slack/emulator/signed-requests.ts";
import { ALICE, BOT_TOKEN, CHANNEL, SIGNING_SECRET } from "../support/app-harness.ts";
import { writeKubeconfig } from "../support/kubeconfig-file.ts";
import { messageText } from "../support/message-text.ts";
import { startMemops } from "../support/memops-process.ts";
import { freePort } from "../support/processes.ts";

const PRELOAD = join(import.meta.dirname, "report-undici.cjs");

describe("memops serve's own HTTP", () => {
  let emulator: SlackEmulator;
  let prometheus: Server;
  let kube: Server;
  const queries: string[] = [];
  let dir: string;

  beforeAll(async () => {
    emulator = await new SlackEmulator({ botToken: BOT_TOKEN, users: [{ id: ALICE, name: "alice" }] }).start();
    // a Prometheus that knows of no series: the report says so, after memops has asked
    prometheus = createServer((req, res) => {
      queries.push(req.url ?? "");
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } }));
      });
    });
    await new Promise<void>((r) => prometheus.listen(0, "127.0.0.1", r));
    // an API server with deploy/api and its one pod; every other list is empty, every other read 404
    kube = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://kube").pathname;
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (path === "/apis/apps/v1/namespaces/shop/deployments/api")
        return json(200, {
          kind: "Deployment",
          metadata: { name: "api", namespace: "shop", uid: "d1", generation: 1 },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: "api" } },
            template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api" }] } },
          },
          status: { replicas: 1, readyReplicas: 1 },
        });
      if (path === "/api/v1/namespaces/shop/pods")
        return json(200, {
          items: [
            {
              metadata: { name: "api-1", namespace: "shop", uid: "p1", labels: { app: "api" } },
              spec: { nodeName: "n1", containers: [{ name: "api", resources: { limits: { memory: "256Mi" } } }] },
              status: { phase: "Running", containerStatuses: [{ name: "api", ready: true, restartCount: 0 }] },
            },
          ],
          metadata: {},
        });
      if (path.endsWith("s") && !path.includes("/pods/")) return json(200, { items: [], metadata: {} });
      return json(404, { kind: "Status", code: 404, reason: "NotFound" });
    });
    await new Promise<void>((r) => kube.listen(0, "127.0.0.1", r));
    dir = mkdtempSync(join(tmpdir(), "memops-serve-loads-"));
    writeKubeconfig(join(dir, "kubeconfig"), { server: `http://127.0.0.1:${(kube.address() as AddressInfo).port}` });
  });

  afterAll(async () => {
    await emulator.stop();
    await new Promise((r) => prometheus.close(r));
    await new Promise((r) => kube.close(r));
  });

  it("diagnoses and posts its report without loading Node's undici", async () => {
    const port = String(await freePort());
    const memops = await startMemops(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: emulator.apiUrl,
        PROMETHEUS_URL: `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`,
        KUBECONFIG: join(dir, "kubeconfig"),
        MEMOPS_DATA_DIR: join(dir, "data"),
        PORT: port,
      },
      join(dir, "memops.log"),
      { nodeArgs: ["--require", PRELOAD], fd3: true },
    );
    let report = "";
    memops.child.stdio[3]?.on("data", (c: Buffer) => (report += c.toString()));
    try {
      const slack = new SignedRequests({
        appUrl: `http://127.0.0.1:${port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        emulator,
      });
      const ack = await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
      expect(ack.status).toBe(200);
      // the full report, in the thread: the diagnosis ran to its end
      await emulator.workspace.waitFor(
        () => emulator.workspace.messages.find((m) => messageText(m).startsWith("Memory report: deploy/api -n shop")),
        20_000,
      );
      expect(queries.length).toBeGreaterThan(0);
    } finally {
      await memops.stop();
    }
    expect(report.trim(), readFileSync(join(dir, "memops.log"), "utf8").slice(-2000)).toBe("undici loaded: no");
  });
});
