/**
 * Invariant 2 of the action path, on a real process: memops is SIGKILLed between the intent and the
 * patch, and between the patch and the outcome, on SQLite and on PostgreSQL. After a restart every
 * executed mutation has its intent and its outcome, the chain verifies, the thread says what happened,
 * and nothing was sent twice (the API server's own audit log is the witness).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AuditEntry, verifyChain } from "../../src/core/audit.ts";
import { formatBytes, MiB, parseQuantity } from "../../src/core/quantity.ts";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import { SignedRequests } from "../../src/slack/emulator/signed-requests.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { SqliteStore } from "../../src/store/sqlite-store.ts";
import type { Store } from "../../src/ports.ts";
import { ALICE, BOT_TOKEN, CHANNEL, SIGNING_SECRET } from "../support/app-harness.ts";
import { BOT_TOKEN as KUBE_BOT_TOKEN } from "../support/control-plane.ts";
import { KubeProxy } from "../support/kube-proxy.ts";
import { type MemopsProcess, startMemops } from "../support/memops-process.ts";
import { messageText } from "../support/message-text.ts";
import { writeKubeconfig } from "../support/kubeconfig-file.ts";
import { DATABASE_URL, freshSchema } from "../support/postgres.ts";
import { freePort } from "../support/processes.ts";
import { buttons } from "../support/remediation-fixtures.ts";

const env = inject("integration");
const BOB = "U0BOB";
const TARGET = { namespace: "scenarios", name: "spike" };
const DEPLOYMENT = `/apis/apps/v1/namespaces/${TARGET.namespace}/deployments/${TARGET.name}`;
const isRealPatch = (method: string, url: string) =>
  method === "PATCH" && url.startsWith(DEPLOYMENT) && !url.includes("dryRun");

/** The API server's record of successful, non-dry-run patches of the target by anyone. */
function patchesOnRecord(): number {
  return readFileSync(env.auditLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { verb: string; requestURI: string; stage: string; responseStatus?: { code: number } })
    .filter(
      (e) =>
        e.verb === "patch" &&
        e.stage === "ResponseComplete" &&
        e.requestURI.startsWith(DEPLOYMENT) &&
        !e.requestURI.includes("dryRun") &&
        (e.responseStatus?.code ?? 0) < 300,
    ).length;
}

const stores = {
  sqlite: () => {
    const dir = mkdtempSync(join(tmpdir(), "memops-crash-"));
    return {
      env: { MEMOPS_DATA_DIR: dir } as Record<string, string>,
      open: (): Store => new SqliteStore(join(dir, "memops.db")),
      drop: async () => undefined,
    };
  },
  postgres: async () => {
    const s = await freshSchema();
    return {
      env: { DATABASE_URL: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${s.schema}`)}` },
      open: (): Store => new PostgresStore(DATABASE_URL, { schema: s.schema }),
      drop: () => s.drop(),
    };
  },
};

describe.skipIf(!!env.skipped)("memops killed mid-execution (a real process, SIGKILL), then restarted", () => {
  let emulator: SlackEmulator;
  let proxy: KubeProxy;
  let apps: AppsV1Api;
  let dir: string;
  const base: Record<string, string> = {};

  beforeAll(async () => {
    emulator = await new SlackEmulator({
      botToken: BOT_TOKEN,
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    }).start();
    const admin = new KubeConfig();
    admin.loadFromFile(env.kubeconfig.admin);
    apps = admin.makeApiClient(AppsV1Api);
    const bot = new KubeConfig();
    bot.loadFromFile(env.kubeconfig.bot);
    proxy = new KubeProxy(env.apiUrl, bot.getCurrentCluster()!.caFile!);
    const proxyUrl = await proxy.start();
    dir = mkdtempSync(join(tmpdir(), "memops-crash-"));
    const kubeconfig = join(dir, "via-proxy.kubeconfig");
    // loopback plain HTTP to the proxy (client-node wants skip-verify for http); the proxy speaks TLS upstream
    writeKubeconfig(kubeconfig, { server: proxyUrl, token: KUBE_BOT_TOKEN, skipVerify: true });
    const policy = join(dir, "policy.yaml");
    writeFileSync(
      policy,
      `rules:
  - namespaces: [scenarios]
    actions: [raise-limit]
    request: ["*"]
    approve: [S0SRE]
identities:
  ${BOB}: { user: bob@example.com }
`,
    );
    Object.assign(base, {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emulator.apiUrl,
      KUBECONFIG: kubeconfig,
      PROMETHEUS_URL: env.prometheusUrl,
      MEMOPS_POLICY_FILE: policy,
      MEMOPS_DEFAULT_NAMESPACE: "scenarios",
      // a stopped execution is reconciled as soon as the next process starts
      MEMOPS_LEASE: "1s",
      MEMOPS_VERIFY_WINDOW: "0s",
    });
  });
  afterAll(async () => {
    await proxy?.stop();
    await emulator?.stop();
  });

  const limitNow = async () => {
    const d = await apps.readNamespacedDeployment(TARGET);
    const q = parseQuantity(String(d.spec!.template.spec!.containers[0]!.resources!.limits!["memory"]));
    if (!q.ok) throw new Error(q.error);
    return q.value;
  };

  it.each([
    ["sqlite", "before"],
    ["sqlite", "after"],
    ["postgres", "before"],
    ["postgres", "after"],
  ] as const)("on %s, killed %s the patch reaches the API server", async (kind, when) => {
    const store = await stores[kind]();
    const port = String(await freePort());
    const log = join(dir, `memops-${kind}-${when}.log`);
    const childEnv = { ...base, ...store.env, PORT: port };
    const slack = new SignedRequests({
      appUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      emulator,
    });
    const before = await limitNow();
    const wanted = before + 64 * MiB;
    const patchesBefore = patchesOnRecord();
    let memops: MemopsProcess = await startMemops(childEnv, log);
    try {
      await slack.slash({
        user: ALICE,
        channel: CHANNEL,
        text: `limit deploy/spike -n scenarios --container app ${wanted / MiB}Mi`,
      });
      const summary = `Raise the memory limit of app in deploy/spike from ${formatBytes(before)} to ${wanted / MiB}Mi`;
      const card = await emulator.workspace.waitFor(
        () =>
          emulator.workspace
            .channelMessages(CHANNEL)
            .find((m) => messageText(m).includes(`Approval needed: ${summary}`)),
        20_000,
      );
      const id = buttons(card).find((b) => b.action_id === "mem:approve")!.value;
      const victim = memops;
      const sprung = proxy.arm({ match: isRealPatch, when, spring: () => victim.kill() });
      await slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
      await sprung;
      expect(await victim.exited).toBe("SIGKILL");

      // the API server did or did not get the change, exactly as the trap says
      expect(await limitNow()).toBe(when === "after" ? wanted : before);
      memops = await startMemops(childEnv, log);
      const said = await emulator.workspace.waitFor(
        () =>
          emulator.workspace
            .thread(CHANNEL, card.ts)
            .find((m) => m.text.startsWith(when === "after" ? "In effect:" : "Not applied:")),
        20_000,
      );
      expect(messageText(said)).toContain(summary);
      await memops.stop();

      const s = store.open();
      try {
        const entries: AuditEntry[] = await s.auditEntries();
        expect(verifyChain(entries).ok).toBe(true);
        const mine = entries.filter((e) => e.details["proposal"] === id);
        // on the record before it happened, and its outcome after the restart
        expect(mine.map((e) => [e.kind, e.outcome])).toEqual([
          ["request", "pending"],
          ["approval", "approved"],
          ["intent", "about to send"],
          ["mutation", when === "after" ? "in effect (reconciled)" : "not applied (reconciled)"],
        ]);
        expect(mine[3]?.details["reconciled"]).toBe(true);
        expect((await s.proposal(id))?.status).toBe(when === "after" ? "executed" : "failed");
      } finally {
        await s.close();
      }
      // nothing was sent twice: one patch on the API server's record when it got through, none otherwise
      await new Promise((r) => setTimeout(r, 1500)); // the audit log is written in batches
      expect(patchesOnRecord() - patchesBefore).toBe(when === "after" ? 1 : 0);
      expect(await limitNow()).toBe(when === "after" ? wanted : before);
      expect(proxy.errors).toEqual([]);
    } finally {
      if (memops.child.exitCode === null && memops.child.signalCode === null) await memops.kill();
      await store.drop();
    }
  });
});
