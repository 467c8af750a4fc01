/**
 * The memops Slack app in its own process for the benchmark, wired to in-memory fakes of the Cluster
 * and MemoryMetrics ports (a 3-replica Deployment and a 2,000-pod namespace), so its RSS is its own.
 */
import { pino } from "pino";
import type { Config } from "../src/config.ts";
import { MiB } from "../src/core/quantity.ts";
import { loadRunbooks } from "../src/load-runbooks.ts";
import { startSlackApp } from "../src/slack/app.ts";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import { FakeCluster } from "../test/support/fake-cluster.ts";
import { FakeMetrics } from "../test/support/fake-metrics.ts";
import { controller, node, pod, series, status } from "../test/support/fixtures.ts";
import { NOW, shopCluster, shopSeries } from "../test/support/shop-scenario.ts";
import { NO_KEYS } from "../src/core/audit-key.ts";

const [apiUrl, botToken, signingSecret, mode] = process.argv.slice(2);
const idle = mode === "idle"; // no fixture data in memory: what a freshly started memops holds
const shop = idle ? new FakeCluster() : shopCluster();
const big = Array.from({ length: idle ? 0 : 2000 }, (_, i) =>
  pod({
    name: `worker-6c9f8d7b5-${String(i).padStart(5, "0")}`,
    namespace: "big",
    nodeName: `node-${i % 40}`,
    owners: [controller("ReplicaSet", "worker-6c9f8d7b5")],
    labels: { app: "worker" },
    statuses: [status({ name: "api", restartCount: i % 97 === 0 ? 3 : 0 })],
  }),
);
const cluster = new FakeCluster({
  ...shop.data,
  pods: [...shop.data.pods, ...big],
  nodes: [...shop.data.nodes, ...Array.from({ length: 40 }, (_, i) => node({ name: `node-${i}` }))],
});
const metrics = new FakeMetrics(
  idle
    ? []
    : [
        ...shopSeries(),
        ...big.map((p, i) => ({
          namespace: "big",
          pod: p.name,
          container: "api",
          workingSet: series(6 * 3600, 300, () => (100 + (i % 400)) * MiB, MiB, i),
        })),
      ],
);
cluster.calls.length = 0;
// The fakes record every call for tests; a long benchmark should not grow that list.
cluster.calls.push = () => 0;
metrics.queries.push = () => 0;

const config: Config = {
  slack: { botToken: botToken ?? "", signingSecret: signingSecret ?? "", apiUrl: apiUrl ?? "", socketMode: false },
  port: 0,
  prometheus: { timeoutMs: 5000 },
  defaultNamespace: "shop",
  defaultWindowSeconds: 6 * 3600,
  runbooksDir: "runbooks",
  dataDir: "data",
  logLevel: "warn",
  auditKeys: NO_KEYS,
  verifyWindowSeconds: 600,
  leaseSeconds: 30,
};
const runbooks = await loadRunbooks("runbooks");
if (!runbooks.ok) throw new Error(runbooks.error.join("\n"));
const log = pino({ level: "warn" });
const app = await startSlackApp(config, {
  diagnosis: { cluster, metrics, clock: { now: () => NOW }, log },
  runbooks: runbooks.value,
  log,
  store: new SqliteStore(":memory:"),
  newId: () => crypto.randomUUID(),
  remediation: null,
});
process.send?.({ port: app.port });
process.on("message", (m) => {
  if (m === "rss") {
    const gcFn = (globalThis as { gc?: () => void }).gc;
    gcFn?.();
    const u = process.memoryUsage();
    process.send?.({
      rss: u.rss,
      heap: u.heapUsed,
      external: u.external,
      arrayBuffers: u.arrayBuffers,
      maxRss: process.resourceUsage().maxRSS * 1024,
    });
  }
  if (m === "stop") void app.stop().then(() => process.exit(0));
});
