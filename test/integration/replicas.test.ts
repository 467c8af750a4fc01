import { AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifyChain } from "../../src/core/audit.ts";
import { parsePolicy } from "../../src/core/remediation/policy.ts";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import type { EmuMessage } from "../../src/slack/emulator/workspace.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { ALICE, BOT_TOKEN, cardRecorded, CHANNEL, type Harness, type HarnessOptions, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { DATABASE_URL, freshSchema } from "../support/postgres.ts";

const env = inject("integration");
const BOB = "U0BOB";
type Button = { action_id: string; value: string; text: { text: string } };
const buttons = (m: EmuMessage): Button[] => (m.blocks as { type: string; elements?: Button[] }[]).filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []);

describe.skipIf(!!env.skipped)("two replicas on one PostgreSQL behind one Slack app", () => {
  let emulator: SlackEmulator;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  const stores: PostgresStore[] = [];
  let options: HarnessOptions;
  let apps: AppsV1Api;

  const replica = async () => {
    const store = new PostgresStore(DATABASE_URL, { schema: schema.schema });
    stores.push(store);
    return startHarness({ ...options, emulator, store });
  };

  beforeAll(async () => {
    schema = await freshSchema();
    emulator = await new SlackEmulator({ botToken: BOT_TOKEN, users: [ALICE, BOB].map((id) => ({ id, name: id })), usergroups: { S0SRE: [BOB] } }).start();
    const bot = new KubeConfig();
    bot.loadFromFile(env.kubeconfig.bot);
    const admin = new KubeConfig();
    admin.loadFromFile(env.kubeconfig.admin);
    apps = admin.makeApiClient(AppsV1Api);
    const policy = parsePolicy({ rules: [{ namespaces: ["scenarios"], actions: ["restart", "raise-limit", "scale-out"], request: ["*"], approve: ["S0SRE"] }], identities: { [BOB]: { user: "bob@example.com" } } });
    if (!policy.ok) throw new Error(policy.error.join("; "));
    options = { cluster: new KubeCluster(bot), metrics: new PromMetrics(env.prometheusUrl, 10_000), clock: { now: () => env.now * 1000 }, policy: policy.value };
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await emulator?.stop();
    await schema?.drop();
  });

  it("requests alternate between replicas; 20 concurrent approvals on both execute once; a pending approval survives a restart", async () => {
    const a: Harness = await replica();
    let b: Harness = await replica();
    const ws = emulator.workspace;
    const before = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "quiet" });

    await a.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/quiet -n scenarios" });
    const card = await ws.waitFor(() => ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Approval needed: Rolling restart of deploy/quiet")), 20_000);
    const id = buttons(card).find((x) => x.action_id === "mem:approve")!.value;
    await cardRecorded(a.store, id);

    // b restarts while the request is pending: what it knows is in PostgreSQL, not in its memory.
    await b.stop();
    b = await replica();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id })));
    await ws.waitFor(() => ws.thread(CHANNEL, card.ts).find((m) => m.text.startsWith("Done:")), 20_000);
    await Promise.all([a.app.idle(), b.app.idle()]);

    const after = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "quiet" });
    expect(after.metadata!.generation).toBe(before.metadata!.generation! + 1);
    expect(ws.thread(CHANNEL, card.ts).filter((m) => m.text.startsWith("Done:"))).toHaveLength(1);
    const audit = await a.store.auditEntries();
    expect(verifyChain(audit)).toEqual({ ok: true, entries: audit.length });
    expect(audit.filter((e) => e.kind === "mutation")).toHaveLength(1);
    expect(audit.filter((e) => e.kind === "approval" && e.outcome === "executed")).toHaveLength(1);
    await a.stop();
    await b.stop();
  }, 60_000);
});
