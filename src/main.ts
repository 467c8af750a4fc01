#!/usr/bin/env node
/**
 * The composition root: the only file that reads process.env and chooses the adapters. Adapters are
 * imported when a command first needs them (client-node alone is ~0.7 s and 130 MB to load), so the
 * commands that need none of them answer like a CLI.
 */
import type { Logger } from "pino";
import { type PlaygroundFlags, runCli, type Wiring } from "./cli/run-cli.ts";
import type { Config } from "./config.ts";
import type { Runbook } from "./core/runbook.ts";
import type { DiagnosisDeps } from "./engine/run-diagnosis.ts";
import type { Store } from "./ports.ts";
import type { Policy } from "./core/remediation/policy.ts";
import { randomUUID } from "node:crypto";
import { join } from "node:path";

async function diagnosisDeps(config: Config, log: Logger): Promise<DiagnosisDeps> {
  const [{ loadKubeTarget }, { KubeCluster }, { PromMetrics }] = await Promise.all([
    import("./kubernetes/kube-config.ts"),
    import("./kubernetes/kube-cluster.ts"),
    import("./prometheus/prom-metrics.ts"),
  ]);
  return {
    // the given kubeconfig, else $KUBECONFIG, the pod's service account, ~/.kube/config
    cluster: new KubeCluster(loadKubeTarget(config.kubeconfig, process.env)),
    metrics: config.prometheus.url ? new PromMetrics(config.prometheus.url, config.prometheus.timeoutMs) : null,
    clock: { now: () => Date.now() / 1000 },
    log,
  };
}

async function serve(config: Config, runbooks: Runbook[], policy: Policy | null, log: Logger): Promise<void> {
  const store = await openStore(config);
  const [{ startSlackApp }, { returnMemory }] = await Promise.all([
    import("./slack/app.ts"),
    import("./return-memory.ts"),
  ]);
  if (!config.auditKeys.current)
    log.warn(
      "MEMOPS_AUDIT_KEY is not set: the audit log is hash-chained but not keyed, so whoever can write the database can rewrite it undetected (the witnessed heads in this log still show truncation)",
    );
  const running = await startSlackApp(config, {
    diagnosis: await diagnosisDeps(config, log),
    runbooks,
    log,
    store,
    newId: () => randomUUID(),
    remediation: policy ? { policy } : null,
  });
  returnMemory(log); // what loading and starting left behind
  log.info({ port: running.port, runbooks: runbooks.map((r) => r.id) }, "memops is serving");
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "stopping");
      running
        .stop()
        .then(() => store.close())
        .then(resolve, resolve);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

/** PostgreSQL when DATABASE_URL is set (several replicas), else the embedded SQLite file. */
async function openStore(config: Config): Promise<Store> {
  const auditKey = config.auditKeys.current;
  if (config.databaseUrl) {
    const { PostgresStore } = await import("./store/postgres-store.ts");
    return new PostgresStore(config.databaseUrl, { auditKey });
  }
  const { SqliteStore } = await import("./store/sqlite-store.ts");
  return new SqliteStore(join(config.dataDir, "memops.db"), { auditKey });
}

/** The playground until Ctrl-C; it prints where to open it. Loaded only here: `serve` never imports it. */
async function playground(flags: PlaygroundFlags, runbooks: Runbook[], log: Logger): Promise<void> {
  const started = performance.now();
  const { startPlayground } = await import("./playground/playground.ts");
  const p = await startPlayground({
    host: "127.0.0.1",
    port: flags.port,
    runbooks,
    log,
    verifyWindowSeconds: flags.verifyWindowSeconds,
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.prometheus ? { prometheus: flags.prometheus } : {}),
  });
  process.stdout.write(
    `memops playground is running (started in ${((performance.now() - started) / 1000).toFixed(1)} s): open ${p.url}\n` +
      `${flags.kubeconfig ? `cluster: ${flags.kubeconfig}` : "simulated cluster, namespace demo: try /mem diagnose deploy/checkout -n demo"}. Ctrl-C stops it.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      p.stop().then(resolve, resolve);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

const wiring: Wiring = {
  diagnosisDeps,
  serve,
  openStore,
  playground,
  blocks: async (report) => (await import("./slack/render/report.ts")).reportMessages(report),
};

process.exitCode = await runCli(
  process.argv.slice(2),
  process.env,
  {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  },
  wiring,
);
