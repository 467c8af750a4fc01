/**
 * The action path's invariants, end to end through the Bolt app: what is approved is what runs, it is on
 * the record before it happens, and every answer lands in the thread the person clicked in.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AuditEvent, verifyChain } from "../../src/core/audit.ts";
import { MiB } from "../../src/core/quantity.ts";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import type { EmuMessage } from "../../src/slack/emulator/workspace.ts";
import { SqliteStore } from "../../src/store/sqlite-store.ts";
import {
  ALICE,
  AUDIT_KEYS,
  BOT_TOKEN,
  cardRecorded,
  CHANNEL,
  type Harness,
  startHarness,
} from "../support/app-harness.ts";
import type { FakeCluster } from "../support/fake-cluster.ts";
import { messageText } from "../support/message-text.ts";
import { NOW, shopCluster } from "../support/shop-scenario.ts";
import {
  apiLimit,
  approveCard,
  BOB,
  buttons,
  noLeak,
  policy,
  realPatches,
  requestFromParent,
} from "../support/remediation-fixtures.ts";

/** A store whose audit log refuses one kind of entry, as a full disk or a lost database would. */
class FailingAudit extends SqliteStore {
  failKind: AuditEvent["kind"] | null = null;
  override async appendAudits(es: readonly AuditEvent[]) {
    if (es.some((e) => e.kind === this.failKind)) throw new Error("disk I/O error");
    return super.appendAudits(es);
  }
}

const tmpStore = () => new FailingAudit(join(mkdtempSync(join(tmpdir(), "memops-")), "memops.db"));

describe("what is approved is what runs", () => {
  let h: Harness;
  let cluster: FakeCluster;
  beforeEach(async () => {
    cluster = shopCluster({ patchers: ["bob@example.com"] });
    h = await startHarness({
      cluster,
      metrics: noLeak(),
      clock: { now: () => NOW },
      policy,
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    });
  });
  afterEach(async () => h.stop());
  const ws = () => h.emulator.workspace;

  async function diagnose() {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    return ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => buttons(m).length > 0),
    );
  }
  const cardsIn = (ts: string) =>
    ws()
      .thread(CHANNEL, ts)
      .filter((m) => messageText(m).includes("Approval needed") || messageText(m).includes("Not done"));

  it("a newer request for the same container supersedes the older card; approving the older one changes nothing", async () => {
    const parent = await diagnose();
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "limit deploy/api -n shop --container api 600Mi" });
    const older = await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) =>
          messageText(m).includes("Approval needed: Raise the memory limit of api in deploy/api from 512Mi to 600Mi"),
        ),
    );
    // api was OOM-killed: 600Mi is below the floor memops itself would propose, and the card says so
    expect(messageText(older)).toContain(
      ":warning: api was OOM-killed: 600Mi is below memops's OOM floor of 614Mi (max(old × 1.2, old + 100Mi)), so it may be killed again",
    );
    const olderId = buttons(older).find((b) => b.action_id === "mem:approve")!.value;
    await cardRecorded(h.store, olderId);
    const raise = buttons(parent).find((b) => b.text.text === "Raise api limit to 640Mi")!;
    await h.slack.click({
      user: ALICE,
      channel: CHANNEL,
      messageTs: parent.ts,
      actionId: raise.action_id,
      value: raise.value,
    });
    const newer = await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) =>
          messageText(m).includes("Approval needed: Raise the memory limit of api in deploy/api from 512Mi to 640Mi"),
        ),
    );
    await cardRecorded(h.store, raise.value);
    expect(messageText(newer)).toContain(":white_check_mark: at or above the OOM floor of api");
    // the older card says what replaced it and has no buttons left
    const superseded = await ws().waitFor(() => {
      const m = ws().message(CHANNEL, older.ts)!;
      return messageText(m).includes("Superseded") ? m : undefined;
    });
    expect(messageText(superseded)).toContain(
      "by a newer request: Raise the memory limit of api in deploy/api from 512Mi to 640Mi",
    );
    expect(buttons(superseded)).toEqual([]);
    await h.slack.click({
      user: BOB,
      channel: CHANNEL,
      messageTs: newer.ts,
      actionId: "mem:approve",
      value: raise.value,
      threadTs: parent.ts,
    });
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Done:")),
    );
    // bob clicks the stale card's old button anyway (a payload Slack still delivers)
    await h.slack.click({
      user: BOB,
      channel: CHANNEL,
      messageTs: older.ts,
      actionId: "mem:approve",
      value: olderId,
      threadTs: parent.ts,
    });
    const said = await ws().waitFor(() =>
      ws()
        .ephemeralFor(BOB)
        .find((e) => e.text.includes("this request is superseded")),
    );
    expect(said.threadTs).toBe(parent.ts);
    expect(apiLimit(cluster)).toBe(640 * MiB);
    expect(realPatches(cluster)).toHaveLength(1);
    expect((await h.store.auditEntries()).filter((e) => e.kind === "supersession")).toMatchObject([
      { details: { proposal: olderId, by: raise.value } },
    ]);
  });

  it("a card made for 512Mi is refused by the API server once the limit has changed: nothing changes, the thread says why", async () => {
    const parent = await diagnose();
    const { card, id } = await requestFromParent(h, parent, "Raise api limit to 640Mi");
    // someone raises it by hand meanwhile (kubectl), to 700Mi
    const w = cluster.data.workloads.find((x) => x.kind === "deployment" && x.name === "api")!;
    w.template.containers[0] = { ...w.template.containers[0]!, limitBytes: 700 * MiB };
    await approveCard(h, BOB, card, id, parent.ts);
    const notRun = await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Not run:")),
    );
    expect(messageText(notRun)).toContain(
      "made for 512Mi; the limit of api is now 700Mi — ask again. Nothing was changed.",
    );
    expect(apiLimit(cluster)).toBe(700 * MiB);
    const decided = ws().message(CHANNEL, card.ts)!;
    expect(buttons(decided)).toEqual([]);
    expect(messageText(decided)).toContain("Not run: made for 512Mi; the limit of api is now 700Mi — ask again");
    const audit = await h.store.auditEntries();
    expect(audit.filter((e) => e.kind === "mutation")).toMatchObject([
      { outcome: "refused by the API server, the object changed: made for 512Mi; the limit of api is now 700Mi" },
    ]);
    expect(cardsIn(parent.ts)).toHaveLength(1);
  });

  it("the executed change is on a keyed chain, and its head is witnessed in memops's log stream at once", async () => {
    const parent = await diagnose();
    const { card, id } = await requestFromParent(h, parent, "Raise api limit to 640Mi");
    await approveCard(h, BOB, card, id, parent.ts);
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Done")),
    );
    await h.app.idle();
    const entries = await h.store.auditEntries();
    const mutation = entries.find((e) => e.kind === "mutation")!;
    expect(mutation.hash).toMatch(new RegExp(`^hmac-sha256:${AUDIT_KEYS.current!.id}:[0-9a-f]{64}$`));
    const witnessed = h.logs
      .map((l) => JSON.parse(l) as { auditHead?: { seq: number; hash: string } })
      .flatMap((l) => (l.auditHead ? [l.auditHead] : []));
    expect(witnessed).toContainEqual({ seq: mutation.seq, hash: mutation.hash });
    expect(verifyChain(entries, await h.store.auditHead(), { keys: AUDIT_KEYS, witnesses: witnessed })).toEqual({
      ok: true,
      entries: entries.length,
    });
  });

  it("/metrics counts the diagnosis, its steps, Slack calls, the approval, the execution and its verification", async () => {
    const scrape = async () => {
      const r = await fetch(`http://127.0.0.1:${h.app.port}/metrics`);
      expect(r.headers.get("content-type")).toContain("text/plain");
      return r.text();
    };
    const value = (text: string, series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line ? Number(line.split(" ")[1]) : 0;
    };
    const parent = await diagnose();
    await h.app.idle();
    const afterDiagnosis = await scrape();
    expect(value(afterDiagnosis, 'memops_diagnosis_duration_seconds_count{outcome="ok"}')).toBe(1);
    expect(value(afterDiagnosis, 'memops_diagnosis_step_duration_seconds_count{step="oom-history",status="ok"}')).toBe(
      1,
    );
    const posts = value(afterDiagnosis, 'memops_slack_api_calls_total{method="chat.postMessage",outcome="ok"}');
    expect(posts).toBeGreaterThan(1);
    expect(value(afterDiagnosis, 'memops_audit_entries_total{kind="approval",outcome="approved"}')).toBe(0);
    expect(afterDiagnosis).toMatch(/^memops_process_resident_memory_bytes \d+/m);
    expect(afterDiagnosis).toMatch(/^memops_nodejs_eventloop_lag_seconds [\d.e-]+/m);

    const { card, id } = await requestFromParent(h, parent, "Raise api limit to 640Mi");
    await approveCard(h, BOB, card, id, parent.ts);
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Verified")),
    );
    await h.app.idle();
    const after = await scrape();
    expect(value(after, 'memops_audit_entries_total{kind="approval",outcome="approved"}')).toBe(1);
    expect(value(after, 'memops_audit_entries_total{kind="mutation",outcome="ok"}')).toBe(1);
    expect(value(after, 'memops_audit_entries_total{kind="verification",outcome="verified"}')).toBe(1);
    expect(value(after, 'memops_slack_api_calls_total{method="chat.postMessage",outcome="ok"}')).toBeGreaterThan(posts);
    expect(value(after, "memops_audit_append_seconds_count")).toBeGreaterThan(3);
    // every series the shipped Grafana dashboard charts is one memops exports
    const dashboard = JSON.parse(readFileSync("deploy/grafana/memops-dashboard.json", "utf8")) as {
      panels: { targets: { expr: string }[] }[];
    };
    const charted = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/memops_\w+/g) ?? [])),
    );
    // declared (# HELP) even before a first sample; a histogram's series are its name plus _bucket, _count, _sum
    const declared = new Set(after.split("\n").flatMap((l) => /^# HELP (memops_\w+)/.exec(l)?.[1] ?? []));
    const base = (m: string) => m.replace(/_(bucket|count|sum)$/, "");
    expect([...charted].filter((m) => !declared.has(m) && !declared.has(base(m)))).toEqual([]);
  });

  it("refusals are told in the thread the person clicked in", async () => {
    const parent = await diagnose();
    const { card, id } = await requestFromParent(h, parent, "Raise api limit to 640Mi");
    await approveCard(h, ALICE, card, id, parent.ts);
    const refusal = await ws().waitFor(() =>
      ws()
        .ephemeralFor(ALICE)
        .find((e) => e.text.includes("another person must approve it")),
    );
    expect(refusal.threadTs).toBe(parent.ts);
    // clicking the offer again answers in the thread too
    const raise = buttons(parent).find((b) => b.text.text === "Raise api limit to 640Mi")!;
    await h.slack.click({
      user: ALICE,
      channel: CHANNEL,
      messageTs: parent.ts,
      actionId: raise.action_id,
      value: raise.value,
    });
    const again = await ws().waitFor(() =>
      ws()
        .ephemeralFor(ALICE)
        .find((e) => e.text.includes("already requested by")),
    );
    expect(again.threadTs).toBe(parent.ts);
  });
});

describe("on the record before it happens", () => {
  it("when the intent cannot be recorded, nothing runs and the approver is told", async () => {
    const cluster = shopCluster({ patchers: ["bob@example.com"] });
    const store = tmpStore();
    const h = await startHarness({
      cluster,
      metrics: noLeak(),
      clock: { now: () => NOW },
      policy,
      store,
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    });
    try {
      const ws = h.emulator.workspace;
      await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "limit deploy/api -n shop --container api 1Gi" });
      const card = await ws.waitFor(() =>
        ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Approval needed")),
      );
      const id = buttons(card).find((b) => b.action_id === "mem:approve")!.value;
      await cardRecorded(store, id);
      store.failKind = "intent";
      await h.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
      const told = await ws.waitFor(() => ws.ephemeralFor(BOB).find((e) => e.text.startsWith("Nothing was changed")));
      expect(told.text).toContain("the audit log could not record the intent, so memops sent nothing");
      expect(realPatches(cluster)).toHaveLength(0);
      expect(apiLimit(cluster)).toBe(512 * MiB);
      expect(await store.proposal(id)).toMatchObject({ status: "failed" });
      expect(ws.thread(CHANNEL, card.ts).filter((m) => m.text.startsWith("Done:"))).toHaveLength(0);
    } finally {
      await h.stop();
      await store.close();
    }
  });

  it.each([
    ["between the intent and the patch", "hang", "Not applied", 512, "not applied (reconciled)"],
    ["between the patch and its outcome", "hangAfter", "In effect", 1024, "in effect (reconciled)"],
  ] as const)(
    "memops stops %s: the next start reconciles from the cluster, says so in the thread, and sends nothing again",
    async (_when, fault, says, limitMi, outcome) => {
      let nowMs = NOW * 1000;
      const clock = { now: () => nowMs / 1000 };
      const cluster = shopCluster({ patchers: ["bob@example.com"] });
      const store = tmpStore();
      const emulator = await new SlackEmulator({
        botToken: BOT_TOKEN,
        users: [ALICE, BOB].map((id) => ({ id, name: id })),
        usergroups: { S0SRE: [BOB] },
      }).start();
      const shared = { metrics: noLeak(), clock, policy, emulator, store };
      const a = await startHarness({ ...shared, cluster });
      let b: Harness | null = null;
      try {
        const ws = emulator.workspace;
        await a.slack.slash({ user: ALICE, channel: CHANNEL, text: "limit deploy/api -n shop --container api 1Gi" });
        const card = await ws.waitFor(() =>
          ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Approval needed")),
        );
        const id = buttons(card).find((x) => x.action_id === "mem:approve")!.value;
        await cardRecorded(store, id);
        cluster.data[fault] = ["patchWorkload"];
        await a.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
        await ws.waitFor(() => realPatches(cluster).length > 0); // the call was made (and, for "hang", never did anything)
        await a.stop({ drainMs: 0 }); // the process is gone, the call unanswered: no outcome was recorded
        expect((await store.auditEntries()).filter((e) => e.kind === "mutation")).toHaveLength(0);

        cluster.data[fault] = [];
        nowMs += 31_000; // the execution's lease has run out
        b = await startHarness({ ...shared, cluster });
        const report = await ws.waitFor(() => ws.thread(CHANNEL, card.ts).find((m) => m.text.startsWith(says)));
        expect(messageText(report)).toContain("Raise the memory limit of api in deploy/api from 512Mi to 1Gi");
        await b.app.idle();
        expect(apiLimit(cluster)).toBe(limitMi * MiB);
        expect(realPatches(cluster)).toHaveLength(1); // the one call before the stop; never a second
        const audit = await store.auditEntries();
        expect(verifyChain(audit)).toEqual({ ok: true, entries: audit.length });
        expect(audit.filter((e) => e.kind === "intent")).toMatchObject([{ details: { proposal: id } }]);
        expect(audit.filter((e) => e.kind === "mutation")).toMatchObject([
          { outcome, details: { proposal: id, reconciled: true } },
        ]);
        expect(await store.proposal(id)).toMatchObject({ status: fault === "hang" ? "failed" : "executed" });
        if (fault === "hangAfter")
          await ws.waitFor(() =>
            ws.thread(CHANNEL, card.ts).find((m) => m.text.startsWith("Verified") || m.text.startsWith("Not verified")),
          );
        // another pass finds nothing left to reconcile
        await b.app.resumeWatches();
        expect((await store.auditEntries()).filter((e) => e.kind === "mutation")).toHaveLength(1);
      } finally {
        await b?.stop();
        await emulator.stop();
        await store.close();
      }
    },
  );
});

describe("the audit log records what really happened to each command", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      cluster: shopCluster({ patchers: ["bob@example.com"] }),
      metrics: noLeak(),
      clock: { now: () => NOW },
      policy,
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    });
  });
  afterEach(async () => h.stop());
  const ws = () => h.emulator.workspace;
  const commandEntry = async (what: string) => {
    for (let i = 0; i < 100; i++) {
      const e = (await h.store.auditEntries()).find((x) => x.kind === "command" && x.what === what);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no command entry for ${what}`);
  };

  it("refused commands are recorded as refused, with the reason; /mem audit records its target; mentions render as mentions", async () => {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "scale deploy/api -n shop 2" });
    await ws().waitFor(() =>
      ws()
        .ephemeralFor(ALICE)
        .find((e) => e.text.includes("2 is not more than the current 3 replicas")),
    );
    expect(await commandEntry("/mem scale deploy/api -n shop 2")).toMatchObject({
      target: { kind: "deployment", name: "api", namespace: "shop" },
      outcome: "refused: 2 is not more than the current 3 replicas",
    });
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "limit deploy/api -n shop --container api 99Ti" });
    await ws().waitFor(() =>
      ws()
        .ephemeralFor(ALICE)
        .find((e) => e.text.includes("at most ×2 per step")),
    );
    expect((await commandEntry("/mem limit deploy/api -n shop --container api 99Ti")).outcome).toMatch(
      /^refused: at most ×2 per step/,
    );
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "limit deploy/api -n shop --container api 1Gi" });
    const card = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => messageText(m).includes("Approval needed")),
    );
    expect((await commandEntry("/mem limit deploy/api -n shop --container api 1Gi")).outcome).toBe("accepted");
    const id = buttons(card).find((b) => b.action_id === "mem:approve")!.value;
    await cardRecorded(h.store, id);
    await h.slack.click({ user: ALICE, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
    await ws().waitFor(() =>
      ws()
        .ephemeralFor(ALICE)
        .find((e) => e.text.includes("another person must approve it")),
    );
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "audit deploy/api -n shop" });
    const shown = await ws().waitFor(() =>
      ws()
        .ephemeralFor(ALICE)
        .find((e) => e.text.includes("audit entries for")),
    );
    expect(messageText(shown as unknown as EmuMessage)).toContain("*request* by <@U0ALICE>");
    expect(messageText(shown as unknown as EmuMessage)).not.toContain("&lt;@");
    expect(await commandEntry("/mem audit deploy/api -n shop")).toMatchObject({
      target: { kind: "deployment", name: "api", namespace: "shop" },
    });
    const entries = await h.store.auditEntries();
    expect(entries.findIndex((e) => e.what === "/mem limit deploy/api -n shop --container api 1Gi")).toBeLessThan(
      entries.findIndex((e) => e.kind === "request"),
    );
  });
});
