import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import { parsePolicy, type Policy } from "../core/remediation/policy.ts";
import type { Runbook } from "../core/runbook.ts";
import { KubeCluster } from "../kubernetes/kube-cluster.ts";
import { fromKubeconfig } from "../kubernetes/kube-config.ts";
import type { Cluster, MemoryMetrics } from "../ports.ts";
import { PromMetrics } from "../prometheus/prom-metrics.ts";
import { type RunningApp, startSlackApp } from "../slack/app.ts";
import { SlackEmulator } from "../slack/emulator/server.ts";
import { SignedRequests } from "../slack/emulator/signed-requests.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { SCENARIOS } from "./scenarios.ts";
import { PLAYGROUND_PATCHERS, SimCluster } from "./sim-cluster.ts";
import { SimMetrics } from "./sim-metrics.ts";
import { Simulation } from "./simulation.ts";
import { WebUi } from "./web-ui.ts";
import { keyring } from "../core/audit-key.ts";

/**
 * `memops playground`: the Slack emulator, the unchanged memops app pointed at it (signed requests,
 * real Bolt), an embedded SQLite store in a temporary folder, a simulated cluster (or a real one), and
 * a web page that looks and behaves like a Slack channel. Nothing here is used by `memops serve`.
 */
export interface PlaygroundOptions {
  host: string;
  port: number;
  runbooks: readonly Runbook[];
  log: Logger;
  /** how long verification watches a change (the playground's default is short: 30 s) */
  verifyWindowSeconds: number;
  /** a real cluster and Prometheus instead of the simulation */
  kubeconfig?: string;
  prometheus?: string;
}

export interface Playground {
  url: string;
  emulator: SlackEmulator;
  app: RunningApp;
  stop(): Promise<void>;
}

export const PLAYGROUND_USERS = [
  { id: "U0ALICE", name: "alice", role: "on call: asks for changes" },
  { id: "U0BOB", name: "bob", role: "SRE lead: approves them" },
];
const SRE_GROUP = "S0SRE";
export const PLAYGROUND_CHANNEL = "C0INCIDENTS";
const NAMESPACE = "demo";

/** Anyone may ask; the SRE group approves, never the person who asked; approvers act as their Kubernetes users. */
function playgroundPolicy(): Policy {
  const p = parsePolicy({
    expiry: "15m",
    selfApproval: false,
    maxLimitFactor: 2,
    rules: [
      {
        namespaces: ["*"],
        actions: ["restart", "raise-limit", "scale-out", "set-request"],
        request: ["*"],
        approve: [SRE_GROUP],
        maxReplicas: 10,
      },
    ],
    // the fleet watch, every 5 minutes: the leaking checkout (an OOM in about an hour) is warned about first
    watch: { targets: [{ namespaces: ["*"], channel: PLAYGROUND_CHANNEL }] },
    identities: Object.fromEntries(
      PLAYGROUND_USERS.map((u, i) => [u.id, { user: PLAYGROUND_PATCHERS[i] ?? "", groups: ["sre"] }]),
    ),
  });
  if (!p.ok) throw new Error(`the playground's own policy is invalid: ${p.error.join("; ")}`);
  return p.value;
}

/** The simulated cluster and Prometheus, or the real ones given on the command line. */
function world(o: PlaygroundOptions): { sim: Simulation | null; cluster: Cluster; metrics: MemoryMetrics | null } {
  if (!o.kubeconfig) {
    const sim = new Simulation(SCENARIOS, () => Date.now() / 1000);
    return { sim, cluster: new SimCluster(sim), metrics: new SimMetrics(sim) };
  }
  return {
    sim: null,
    cluster: new KubeCluster(fromKubeconfig(o.kubeconfig)),
    metrics: o.prometheus ? new PromMetrics(o.prometheus, 10_000) : null,
  };
}

export async function startPlayground(o: PlaygroundOptions): Promise<Playground> {
  const botToken = `xoxb-playground-${randomBytes(12).toString("hex")}`;
  const signingSecret = randomBytes(32).toString("hex");
  const emulator = await new SlackEmulator({
    botToken,
    users: PLAYGROUND_USERS.map((u) => ({ id: u.id, name: u.name })),
    channels: [{ id: PLAYGROUND_CHANNEL, name: "incidents" }],
    usergroups: { [SRE_GROUP]: PLAYGROUND_USERS.map((u) => u.id) },
  }).start();
  const { sim, cluster, metrics } = world(o);
  const dataDir = mkdtempSync(join(tmpdir(), "memops-playground-"));
  const auditKeys = keyring(randomBytes(32).toString("hex"));
  const store = new SqliteStore(join(dataDir, "memops.db"), { auditKey: auditKeys.current });
  const config: Config = {
    slack: { botToken, signingSecret, apiUrl: emulator.apiUrl, socketMode: false },
    port: 0,
    host: "127.0.0.1", // the embedded app, like the page, answers on loopback only
    prometheus: { timeoutMs: 10_000 },
    defaultNamespace: NAMESPACE,
    defaultWindowSeconds: 6 * 3600,
    runbooksDir: "runbooks",
    dataDir,
    logLevel: "info",
    verifyWindowSeconds: o.verifyWindowSeconds,
    leaseSeconds: 30,
    auditKeys,
  };
  const app = await startSlackApp(config, {
    diagnosis: { cluster, metrics, clock: { now: () => Date.now() / 1000 }, log: o.log },
    runbooks: o.runbooks,
    log: o.log,
    store,
    newId: () => randomUUID(),
    remediation: { policy: playgroundPolicy() },
  });
  const slack = new SignedRequests({ appUrl: `http://127.0.0.1:${app.port}/slack/events`, signingSecret, emulator });
  const ui = await new WebUi({
    emulator,
    slack,
    channel: PLAYGROUND_CHANNEL,
    users: PLAYGROUND_USERS,
    groups: { [SRE_GROUP]: "sre" },
    namespace: NAMESPACE,
    scenarios: sim ? SCENARIOS.map((s) => ({ name: s.name, story: s.story, expect: s.expect })) : [],
    host: o.host,
    port: o.port,
  }).start();
  return {
    url: ui.url,
    emulator,
    app,
    stop: async () => {
      await ui.stop();
      await app.stop();
      await emulator.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
