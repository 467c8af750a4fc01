import { Writable } from "node:stream";
import { pino } from "pino";
import type { Config } from "../../src/config.ts";
import type { Runbook } from "../../src/core/runbook.ts";
import { loadRunbooks } from "../../src/load-runbooks.ts";
import { loggerOptions } from "../../src/log.ts";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Policy } from "../../src/core/remediation/policy.ts";
import type { Clock, Cluster, MemoryMetrics, Store } from "../../src/ports.ts";
import { SqliteStore } from "../../src/store/sqlite-store.ts";
import { type RunningApp, startSlackApp } from "../../src/slack/app.ts";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import { SignedRequests } from "../../src/slack/emulator/signed-requests.ts";
import { keyring } from "../../src/core/audit-key.ts";

export const BOT_TOKEN = "xoxb-0000-test-token-memops";
export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const APP_TOKEN = "xapp-1-A0MEMOPS-0000-test";
export const CHANNEL = "C0INCIDENTS";
/** the component tier's audit chain is keyed, as a production one should be */
export const AUDIT_KEYS = keyring("component-tier-audit-key-0123456789abcdef");
export const ALICE = "U0ALICE";

export interface Harness {
  emulator: SlackEmulator;
  slack: SignedRequests;
  app: RunningApp;
  logs: string[];
  appUrl: string;
  store: Store;
  /** `drainMs: 0` stops as a crash would, without waiting for the work in flight */
  stop(options?: { drainMs?: number }): Promise<void>;
}

let runbooks: Runbook[] | undefined;
export async function shippedRunbooks(): Promise<Runbook[]> {
  if (!runbooks) {
    const r = await loadRunbooks("runbooks");
    if (!r.ok) throw new Error(r.error.join("\n"));
    runbooks = r.value;
  }
  return runbooks;
}

/** Starts the emulator and the unchanged Bolt app (HTTP receiver, real signatures) wired to fakes of our ports. */
export interface HarnessOptions {
  cluster: Cluster;
  metrics: MemoryMetrics | null;
  clock: Clock;
  channels?: ConstructorParameters<typeof SlackEmulator>[0]["channels"];
  users?: ConstructorParameters<typeof SlackEmulator>[0]["users"];
  usergroups?: Record<string, string[]>;
  socketMode?: boolean;
  /** turns remediation on, with a fresh SQLite store */
  policy?: Policy;
  /** how long verification watches after a change (default 0: report at once) */
  verifyWindowSeconds?: number;
  /** turns the Alertmanager webhook on */
  alerts?: { token: string; channel: string };
  /** the HTTP port (default: a free one) */
  port?: number;
  /** another replica: share this Slack emulator (not stopped by this harness) */
  emulator?: SlackEmulator;
  /** another replica: share this store (not closed by this harness) */
  store?: Store;
  /** how verification waits (default: real time) */
  sleep?: (ms: number) => Promise<void>;
  /** the shipped runbooks unless given */
  runbooks?: Runbook[];
}

export async function startHarness(deps: HarnessOptions): Promise<Harness> {
  const emulator =
    deps.emulator ??
    (await new SlackEmulator({
      botToken: BOT_TOKEN,
      appToken: APP_TOKEN,
      ...(deps.channels ? { channels: deps.channels } : {}),
      ...(deps.users ? { users: deps.users } : {}),
      ...(deps.usergroups ? { usergroups: deps.usergroups } : {}),
    }).start());
  const logs: string[] = [];
  const log = pino(
    loggerOptions("debug"),
    new Writable({
      write(chunk: Buffer, _e, cb) {
        logs.push(chunk.toString());
        cb();
      },
    }),
  );
  const config: Config = {
    slack: deps.socketMode
      ? { botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: emulator.apiUrl, socketMode: true }
      : { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: emulator.apiUrl, socketMode: false },
    port: deps.port ?? 0,
    prometheus: { timeoutMs: 5000 },
    ...(deps.alerts ? { alerts: deps.alerts } : {}),
    defaultNamespace: "shop",
    defaultWindowSeconds: 6 * 3600,
    runbooksDir: "runbooks",
    dataDir: "data",
    logLevel: "debug",
    verifyWindowSeconds: deps.verifyWindowSeconds ?? 0,
    leaseSeconds: 30,
    auditKeys: AUDIT_KEYS,
  };
  const store =
    deps.store ??
    new SqliteStore(join(mkdtempSync(join(tmpdir(), "memops-")), "memops.db"), { auditKey: AUDIT_KEYS.current });
  const app = await startSlackApp(config, {
    diagnosis: { cluster: deps.cluster, metrics: deps.metrics, clock: deps.clock, log },
    runbooks: deps.runbooks ?? (await shippedRunbooks()),
    log,
    store,
    newId: () => randomUUID(),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    remediation: deps.policy ? { policy: deps.policy } : null,
  });
  const appUrl = `http://127.0.0.1:${app.port}/slack/events`;
  const slack = deps.socketMode
    ? new SignedRequests({ emulator, socketMode: true })
    : new SignedRequests({ appUrl, signingSecret: SIGNING_SECRET, emulator });
  return {
    emulator,
    slack,
    app,
    logs,
    appUrl,
    store,
    stop: async (options) => {
      await app.stop(options);
      if (!deps.emulator) await emulator.stop();
      if (!deps.store) await store.close();
    },
  };
}

/** The request flow ends once memops has recorded where its approval card is. */
export async function cardRecorded(store: Store, proposalId: string): Promise<void> {
  for (let i = 0; i < 200 && !(await store.proposal(proposalId))?.cardTs; i++)
    await new Promise((r) => setTimeout(r, 10));
}
