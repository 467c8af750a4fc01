#!/usr/bin/env node
/** The composition root: the only file that reads process.env and chooses the adapters. */
import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { runCli, type Wiring } from "./cli/run-cli.ts";
import type { Config } from "./config.ts";
import type { Runbook } from "./core/runbook.ts";
import type { DiagnosisDeps } from "./engine/run-diagnosis.ts";
import { KubeCluster } from "./kubernetes/kube-cluster.ts";
import { PromMetrics } from "./prometheus/prom-metrics.ts";
import { startSlackApp } from "./slack/app.ts";
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
    clock: { now: () => Date.now() },
    log,
  };
}

async function serve(config: Config, runbooks: Runbook[], policy: Policy | null, log: Logger): Promise<void> {
  const store = openStore(config);
  const running = await startSlackApp(config, { diagnosis: diagnosisDeps(config, log), runbooks, log, store, newId: () => randomUUID(), remediation: policy ? { policy } : null });
  log.info({ port: running.port, runbooks: runbooks.map((r) => r.id) }, "memops is serving");
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "stopping");
      running.stop().then(() => store.close()).then(resolve, resolve);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

/** PostgreSQL when DATABASE_URL is set (several replicas), else the embedded SQLite file. */
function openStore(config: Config): Store {
  return config.databaseUrl ? new PostgresStore(config.databaseUrl) : new SqliteStore(join(config.dataDir, "memops.db"));
}

const wiring: Wiring = { diagnosisDeps, serve, openStore };

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
}, wiring);
