/**
 * npm run bench:watch — one fleet watch pass over the integration world on a real API server and
 * Prometheus, with a quiet fleet of MEMOPS_QUIET_FLEET containers (10,000 by default) backfilled
 * beside it: the prefilter query, memops's diagnosis of each candidate, the warnings posted to the
 * Slack emulator. Times three passes (the first posts; the next two find the episodes open) and samples
 * the process's RSS every 20 ms. Target (issue 15): < 10 s, < 50 MB extra RSS.
 */
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";

process.env["MEMOPS_QUIET_FLEET"] ??= "10000";
const { startIntegrationWorld } = await import("../test/integration/global-setup.ts");
const { startHarness, CHANNEL } = await import("../test/support/app-harness.ts");
const { parsePolicy } = await import("../src/core/remediation/policy.ts");
const { KubeCluster } = await import("../src/kubernetes/kube-cluster.ts");
const { fromKubeconfig } = await import("../src/kubernetes/kube-config.ts");
const { PromMetrics } = await import("../src/prometheus/prom-metrics.ts");
const { QUIET_FLEET } = await import("../test/support/integration-world.ts");

const startedWorld = performance.now();
const world = await startIntegrationWorld(resolve(".cache/bench-watch"));
const worldSeconds = (performance.now() - startedWorld) / 1000;
const policy = parsePolicy({
  rules: [{ namespaces: ["*"], actions: ["restart", "raise-limit"], request: ["*"], approve: ["S0SRE"] }],
  watch: { targets: [{ namespaces: ["*"], channel: CHANNEL }] },
});
if (!policy.ok) throw new Error(policy.error.join("; "));
const h = await startHarness({
  cluster: new KubeCluster(fromKubeconfig(world.env.kubeconfig.bot)),
  metrics: new PromMetrics(world.env.prometheusUrl, 30_000),
  clock: { now: () => world.env.now },
  policy: policy.value,
});
const rss = () => process.memoryUsage().rss / 2 ** 20;
try {
  const rows: string[] = [];
  for (let i = 0; i < 3; i++) {
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 20);
    const t0 = performance.now();
    const pass = await h.app.watchFleet();
    const ms = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, rss());
    rows.push(
      `| ${i + 1} | ${pass?.candidates ?? 0} | ${pass?.posted.length ?? 0} | ${(ms / 1000).toFixed(2)} s | ${before.toFixed(0)} → ${peak.toFixed(0)} MiB (+${(peak - before).toFixed(1)}) |`,
    );
  }
  console.log(`## \`npm run bench:watch\`

Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.
The integration world (the real kube-apiserver and Prometheus of the integration tier; started and
backfilled in ${worldSeconds.toFixed(0)} s) with ${QUIET_FLEET.toLocaleString("en")} quiet containers beside its own,
the watch over every namespace; memops in this process (RSS includes the Slack emulator and the harness).

| pass | candidates | posted | wall | RSS before → peak |
|---|---|---|---|---|
${rows.join("\n")}

Target (issue 15): a scan in < 10 s with < 50 MB extra RSS.`);
} finally {
  await h.stop();
  await world.stop();
}
