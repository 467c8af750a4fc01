#!/usr/bin/env node
/** The composition root: the only file that reads process.env and chooses the adapters. */
import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { type PlaygroundFlags, runCli, type Wiring } from "./cli/run-cli.ts";
import type { Config } from "./config.ts";
import type { Runbook } from "./core/runbook.ts";
import type { DiagnosisDeps } from "./engine/run-diagnosis.ts";
import { KubeCluster } from "./kubernetes/kube-cluster.ts";
import { PromMetrics } from "./prometheus/prom-metrics.ts";
import { startSlackApp } from "./slack/app.ts";
import { reportMessages } from "./slack/render/report.ts";
import { SqliteStore } from "./store/sqlite-store.ts";
import { PostgresStore } from "./store/postgres-store.ts";
import type { Store } from "./ports.ts";
import type { Policy } from "./core/remediation/policy.ts";
import { randomUUID } from "node:crypto";
import { join } from "node:path";

function kubeConfig(config: Config): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault(); // in-cluster service account when running in a pod, ~/.kube/config otherwise
  return kc;
}

function diagnosisDeps(config: Config, log: Logger): DiagnosisDeps {
  return {
    cluster: new KubeCluster(kubeConfig(config)),
    metrics: config.prometheus.url ? new PromMetrics(config.prometheus.url, config.prometheus.timeoutMs) : null,
    clock: { now: () => Date.now() / 1000 },
    log,
  };
}

async function serve(config: Config, runbooks: Runbook[], policy: Policy | null, log: Logger): Promise<void> {
  const store = openStore(config);
  if (!config.auditKeys.current)
    log.warn(
      "MEMOPS_AUDIT_KEY is not set: the audit log is hash-chained but not keyed, so whoever can write the database can rewrite it undetected (the witnessed heads in this log still show truncation)",
    );
  const running = await startSlackApp(config, {
    diagnosis: diagnosisDeps(config, log),
    runbooks,
    log,
    store,
    newId: () => randomUUID(),
    remediation: policy ? { policy } : null,
  });
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
function openStore(config: Config): Store {
  const auditKey = config.auditKeys.current;
  return config.databaseUrl
    ? new PostgresStore(config.databaseUrl, { auditKey })
    : new SqliteStore(join(config.dataDir, "memops.db"), { auditKey });
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

const wiring: Wiring = { diagnosisDeps, serve, openStore, playground, blocks: reportMessages };

process.exitCode = await runCli(
  process.argv.slice(2),
  process.env,
  {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  },
  wiring,
);
