import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parsePolicy, type Policy } from "../../src/core/remediation/policy.ts";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import { SqliteStore } from "../../src/store/sqlite-store.ts";
import { ALICE, BOT_TOKEN, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { approveAndAwait, BOB, buttons, clickButton, requestFromParent } from "../support/remediation-fixtures.ts";
import { MiB } from "../../src/core/quantity.ts";
import { NOW } from "../support/fixtures.ts";
import { watchCluster, watchMetrics } from "../support/watch-fleet.ts";
import { markNotAProblem } from "../support/not-a-problem.ts";

const policy = ((): Policy => {
  const p = parsePolicy({
    rules: [{ namespaces: ["shop"], actions: ["restart", "raise-limit"], request: ["*"], approve: ["S0SRE"] }],
    watch: { targets: [{ namespaces: ["shop"], channel: CHANNEL }] },
  });
  if (!p.ok) throw new Error(p.error.join("; "));
  return p.value;
})();

describe("the fleet watch (Bolt over HTTP, emulator, fake cluster and Prometheus)", () => {
  const running: Harness[] = [];
  afterEach(async () => {
    for (const h of running.splice(0)) await h.stop();
  });
  const start = async (extra: Partial<Parameters<typeof startHarness>[0]> = {}) => {
    const h = await startHarness({
      cluster: watchCluster(),
      metrics: watchMetrics(),
      clock: { now: () => NOW },
      policy,
      users: [ALICE].map((id) => ({ id, name: id })),
      ...extra,
    });
    running.push(h);
    return h;
  };

  it("warns once for the leak, in a new incident thread with its chart and a restart to approve; the plateau stays quiet", async () => {
    const h = await start();
    const ws = h.emulator.workspace;
    const pass = await h.app.watchFleet();
    expect(pass).toMatchObject({ scanned: true, candidates: 2 });
    expect(pass!.posted).toHaveLength(1);
    expect(pass!.quiet).toEqual([expect.stringMatching(/^deployment\/cart -n shop: /)]);
    const parents = ws.channelMessages(CHANNEL);
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    expect(messageText(parent)).toMatch(
      /deploy\/checkout \(container app\) will reach its 512Mi limit in ~\dh( \d+m)? \([^)]+–[^)]+\): it looks like a leak/,
    );
    expect(messageText(parent)).toContain("requested by the memory watch");
    expect(buttons(parent).map((b) => b.text.text)).toContain("Rolling restart");
    const thread = ws.thread(CHANNEL, parent.ts);
    expect(thread.some((m) => messageText(m).includes("Memory report: deploy/checkout -n shop"))).toBe(true);
    expect(ws.files.size).toBeGreaterThan(0);
    // the next pass, same episode: nothing new
    const again = await h.app.watchFleet();
    expect(again!.posted).toEqual([]);
    expect(ws.channelMessages(CHANNEL)).toHaveLength(1);
    const audit = await h.store.auditEntries({ since: NOW - 60 });
    expect(audit.filter((e) => e.kind === "watch" && e.outcome === "warning")).toHaveLength(1);
  });

  it("stays silent for a workload whose incident is already open (a person or an alert got there first)", async () => {
    const h = await start();
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/checkout -n shop" });
    await ws.waitFor(() => ws.channelMessages(CHANNEL).find((m) => buttons(m).length > 0));
    const pass = await h.app.watchFleet();
    expect(pass!.posted).toEqual([]);
    expect(ws.channelMessages(CHANNEL)).toHaveLength(1);
  });

  it("two replicas on one store: one scans under the lease, one warning", async () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "memops-")), "memops.db"));
    const emulator = await new SlackEmulator({ botToken: BOT_TOKEN, users: [{ id: ALICE, name: ALICE }] }).start();
    const a = await start({ store, emulator });
    const b = await start({ store, emulator });
    const [pa, pb] = await Promise.all([a.app.watchFleet(), b.app.watchFleet()]);
    expect([pa!.scanned, pb!.scanned].filter(Boolean)).toHaveLength(1);
    expect(emulator.workspace.channelMessages(CHANNEL)).toHaveLength(1);
    // the other replica's next pass is refused while the lease holds
    const idle = pa!.scanned ? b : a;
    expect((await idle.app.watchFleet())!.scanned).toBe(false);
  });

  /** A pass that warns about checkout, then a click on one of the warning's watch buttons. */
  async function warnThenClick(h: Harness, label: string) {
    const ws = h.emulator.workspace;
    await h.app.watchFleet();
    const parent = ws.channelMessages(CHANNEL)[0]!;
    await clickButton(h, parent, label);
    await ws.waitFor(() => ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("The memory watch is quiet")));
    return parent;
  }

  it("Snooze 24 h holds across a restart (the store has it) and ends when its time is up", async () => {
    let nowS = NOW;
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "memops-")), "memops.db"));
    const emulator = await new SlackEmulator({ botToken: BOT_TOKEN, users: [{ id: ALICE, name: ALICE }] }).start();
    const first = await start({ store, emulator, clock: { now: () => nowS } });
    const parent = await warnThenClick(first, "Snooze 24 h");
    const thread = first.emulator.workspace.thread(CHANNEL, parent.ts).map(messageText).join("\n");
    expect(thread).toContain(
      `The memory watch is quiet about *deployment/checkout -n shop* here: snoozed by <@${ALICE}> until`,
    );
    // the incident is resolved and memops restarts: a new episode would warn again, but the snooze holds
    await store.resolveIncident(
      (await store.openIncident({ kind: "deployment", name: "checkout", namespace: "shop" }, CHANNEL))!.id,
      nowS,
    );
    await store.endWatchWarning({ kind: "deployment", name: "checkout", namespace: "shop" }, CHANNEL);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    nowS += 3600;
    const second = await start({ store, emulator, clock: { now: () => nowS } });
    const pass = await second.app.watchFleet();
    expect(pass!.posted).toEqual([]);
    expect(pass!.quiet).toContainEqual(
      expect.stringMatching(/^deployment\/checkout -n shop: snoozed by <@U0ALICE> until /),
    );
    // a day later the snooze is over: checkout is analysed again (the fixture's samples end a day back,
    // so it finds nothing to warn about — but no longer says "snoozed")
    nowS += 24 * 3600;
    const later = await second.app.watchFleet();
    expect(later!.quiet.some((q) => q.startsWith("deployment/checkout -n shop: snoozed"))).toBe(false);
    expect(later!.quiet.some((q) => q.startsWith("deployment/checkout -n shop: "))).toBe(true);
    const audit = await store.auditEntries({ since: NOW - 60 });
    expect(
      audit.some((e) => e.kind === "watch" && e.slackUser === ALICE && e.what === "snooze-24h from the warning"),
    ).toBe(true);
  });

  it("Not a problem asks why in a modal, and is kept for the workload with who and why; a click from another channel changes nothing", async () => {
    const h = await start();
    const ws = h.emulator.workspace;
    await h.app.watchFleet();
    const parent = ws.channelMessages(CHANNEL)[0]!;
    // a reason too short to mean anything is refused in the form, and nothing is kept
    const refused = await markNotAProblem(h, parent, ALICE, "ok");
    expect(JSON.parse(refused.body)).toEqual({
      response_action: "errors",
      errors: { why: "Say in a few words why it is not a problem." },
    });
    expect(await h.store.watchMutes()).toEqual([]);
    const modal = [...ws.views.values()][0]!.view;
    expect(modal).toMatchObject({
      type: "modal",
      callback_id: "mem:watch-not-a-problem-why",
      title: { text: "Not a problem" },
    });
    await markNotAProblem(
      h,
      parent,
      ALICE,
      "a cache: it fills its limit by design, token xoxb-123456789012-abcdefghijkl",
    );
    const said = await ws.waitFor(() =>
      ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("The memory watch is quiet")),
    );
    expect(messageText(said)).toContain(`marked "not a problem" by <@${ALICE}>: a cache: it fills its limit by design`);
    expect(messageText(said)).not.toContain("xoxb-123456789012");
    const mutes = await h.store.watchMutes();
    expect(mutes).toEqual([
      expect.objectContaining({
        kind: "not-a-problem",
        by: ALICE,
        channel: CHANNEL,
        why: expect.stringMatching(/^a cache: it fills its limit by design/),
      }),
    ]);
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "watch" });
    const listed = await h.emulator.workspace.waitFor(() =>
      h.emulator.workspace.ephemeralFor(ALICE).find((m) => m.text.startsWith("The memory watch is quiet here")),
    );
    expect(messageText(listed)).toContain(
      `• deployment/checkout -n shop: marked "not a problem" by <@${ALICE}>: a cache: it fills its limit by design`,
    );
    const button = buttons(parent).find((b) => b.text.text === "Snooze 1 h")!;
    await h.slack.click({
      user: ALICE,
      channel: "C0ELSEWHERE",
      messageTs: parent.ts,
      actionId: button.action_id,
      value: button.value,
    });
    await h.emulator.workspace.waitFor(() =>
      h.emulator.workspace
        .ephemeralFor(ALICE)
        .find((m) => m.text.includes("does not belong to an incident in this channel")),
    );
    expect(await h.store.watchMutes()).toEqual(mutes);
    // lifted by hand: recorded with who, and the watch warns again
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "watch unmute deploy/checkout -n shop" });
    await h.emulator.workspace.waitFor(() =>
      h.emulator.workspace
        .ephemeralFor(ALICE)
        .find((m) => m.text.startsWith("The memory watch warns about deployment/checkout")),
    );
    expect(await h.store.watchMutes()).toEqual([]);
    const audit = await h.store.auditEntries({ since: NOW - 60 });
    expect(audit.some((e) => e.kind === "watch" && e.what === "unmute" && e.slackUser === ALICE)).toBe(true);
  });

  it("/mem digest posts the rightsizing digest of the channel's watched namespaces, with every container in a CSV", async () => {
    const h = await start();
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "digest" });
    const digest = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Rightsizing digest")),
    );
    const text = messageText(digest);
    expect(text).toContain("Memory rightsizing: shop");
    expect(text).toMatch(
      /\*Most over-provisioned[^*]*\*\n• \*deploy\/search\* -n shop \(app\): request 512Mi → \d+Mi, frees \d+Mi over 1 pod/,
    );
    expect(text).toMatch(
      /\*Closest to their limit\*\n• \*deploy\/checkout\* -n shop \(app\): 8\d% of its 512Mi limit now/,
    );
    const csv = await ws.waitFor(() => [...ws.files.values()].find((f) => f.name === "memops-digest.csv"));
    // the rows worth acting on as a chart, described for screen readers
    const png = [...ws.files.values()].find((f) => f.name === "memops-digest.png")!;
    expect([...png.bytes!.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(png.altText).toMatch(/^Bar chart of \d workloads: deploy\/search peak \d+Mi, request 512Mi → \d+Mi/);
    const lines = new TextDecoder().decode(csv.bytes).trim().split("\n");
    expect(lines[0]).toBe(
      "namespace,workload,container,pods,request_bytes,limit_bytes,recommended_request_bytes,recommended_limit_bytes,classification,peak_bytes,share_of_limit_now,freeable_request_bytes",
    );
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 3).join(","))).toEqual([
      "shop,deployment/cart,app",
      "shop,deployment/checkout,app",
      "shop,deployment/search,app",
    ]);
    // the weekly digest: due at once, then not again until a week later
    await h.app.digests();
    await h.app.digests();
    expect(ws.channelMessages(CHANNEL).filter((m) => m.text.startsWith("Rightsizing digest"))).toHaveLength(2);
    // a channel that watches nothing is told how, and nothing is posted
    await h.slack.slash({ user: ALICE, channel: "C0ELSEWHERE", text: "digest" });
    const refused = await ws.waitFor(() =>
      ws.ephemeralFor(ALICE).find((m) => m.text.includes("watches no namespaces")),
    );
    expect(refused).toBeDefined();
  });

  it("label selectors pick what is watched and where: checkout's leak warns in its channel, the rest elsewhere; the digest covers the selected pods", async () => {
    const selected = parsePolicy({
      rules: [{ namespaces: ["shop"], actions: ["restart", "raise-limit"], request: ["*"], approve: ["S0SRE"] }],
      watch: {
        targets: [
          { namespaces: ["shop"], selector: "app in (cart,search)", channel: "C0OTHERS" },
          { selector: "app=checkout", channel: CHANNEL },
        ],
      },
    });
    if (!selected.ok) throw new Error(selected.error.join("; "));
    const h = await start({ policy: selected.value });
    const ws = h.emulator.workspace;
    const pass = await h.app.watchFleet();
    expect(pass!.posted).toEqual([expect.stringMatching(/^deployment\/checkout -n shop: /)]);
    expect(ws.channelMessages(CHANNEL)).toHaveLength(1);
    // cart, the plateau, is analysed for the other channel's target and left alone
    expect(pass!.quiet).toEqual([expect.stringMatching(/^deployment\/cart -n shop: /)]);
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "digest" });
    const digest = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Rightsizing digest")),
    );
    expect(messageText(digest)).toContain("Memory rightsizing: * (app=checkout)");
    const csv = await ws.waitFor(() => [...ws.files.values()].find((f) => f.name === "memops-digest.csv"));
    const rows = new TextDecoder().decode(csv.bytes).trim().split("\n").slice(1);
    expect(rows.map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["shop,deployment/checkout"]);
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "help" });
    const help = await ws.waitFor(() => ws.ephemeralFor(ALICE).find((m) => messageText(m).includes("*Fleet watch:*")));
    expect(messageText(help)).toContain(
      `\`shop\` \`app in (cart,search)\` → <#C0OTHERS>; \`*\` \`app=checkout\` → <#${CHANNEL}>`,
    );
  });

  it("the digest's rows are changes behind the same approval: search's request set to its recommendation, no raise for checkout's leak", async () => {
    const withRequests = parsePolicy({
      rules: [
        {
          namespaces: ["shop"],
          actions: ["restart", "raise-limit", "set-request"],
          request: ["*"],
          approve: ["S0SRE"],
        },
      ],
      watch: { targets: [{ namespaces: ["shop"], channel: CHANNEL }] },
      identities: { [BOB]: { user: "bob@example.com", groups: ["sre"] } },
    });
    if (!withRequests.ok) throw new Error(withRequests.error.join("; "));
    const cluster = watchCluster();
    cluster.data.patchers.push("bob@example.com");
    const h = await start({
      cluster,
      policy: withRequests.value,
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    });
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "digest" });
    const digest = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Rightsizing digest") && buttons(m).length > 0),
    );
    const labels = buttons(digest).map((b) => b.text.text);
    expect(labels).toEqual([expect.stringMatching(/^deploy\/search app: request → \d+Mi$/)]);
    const after = /→ (\d+)Mi$/.exec(labels[0]!)![1]!;
    const { card } = await requestFromParent(h, digest, labels[0]!);
    expect(messageText(card)).toContain(`Set the memory request of app in deploy/search from 512Mi to ${after}Mi`);
    const { outcome } = await approveAndAwait(h, BOB, card);
    expect(messageText(outcome)).toContain("approved by <@U0BOB>, requested by <@U0ALICE>");
    const search = cluster.data.workloads.find((w) => w.kind === "deployment" && w.name === "search")!;
    expect(search.template.containers[0]!.requestBytes).toBe(Number(after) * MiB);
    expect(search.template.containers[0]!.limitBytes).toBe(1024 * MiB);
    const audit = await h.store.auditEntries({ since: NOW - 60 });
    expect(audit.some((e) => e.kind === "mutation" && e.details["action"] === "set-request")).toBe(true);
  });

  it("the daily cap counts warnings only: a digest posted in the channel before does not use it up", async () => {
    const h = await start({ policy: { ...policy, watch: { ...policy.watch!, dailyCap: 1 } } });
    await h.app.digests();
    const pass = await h.app.watchFleet();
    expect(pass!.posted).toHaveLength(1);
  });

  it("past the daily cap, the rest of a namespace comes in one message, soonest first, and is not listed again", async () => {
    const h = await start({
      cluster: watchCluster({ twoLeaks: true }),
      metrics: watchMetrics({ twoLeaks: true }),
      policy: { ...policy, watch: { ...policy.watch!, dailyCap: 1 } },
    });
    const ws = h.emulator.workspace;
    // a warning posted earlier today uses up the cap
    await h.store.appendAudit({
      at: NOW - 3600,
      kind: "watch",
      slackUser: null,
      kubernetesIdentity: null,
      target: { kind: "deployment", name: "web", namespace: "shop" },
      what: "web will reach its limit",
      outcome: "warning",
      details: { channel: CHANNEL },
    });
    const pass = await h.app.watchFleet();
    expect(pass!.posted).toEqual([
      expect.stringMatching(/^deployment\/orders -n shop: .* \(grouped, past the daily cap\)$/),
      expect.stringMatching(/^deployment\/checkout -n shop: .* \(grouped, past the daily cap\)$/),
    ]);
    const messages = ws.channelMessages(CHANNEL);
    expect(messages).toHaveLength(1);
    const text = messageText(messages[0]!);
    expect(text).toContain(
      "*2 more in shop* will reach their memory limits. This channel has had its 1 watch warnings for today",
    );
    // orders is the sooner of the two, so it comes first
    expect(text).toMatch(
      /• deploy\/orders \(container app\) will reach its 512Mi limit in ~[^\n]*\n• deploy\/checkout \(container app\)/,
    );
    expect(text).toContain("`/mem diagnose deployment/orders -n shop` opens any of them");
    // the next pass: the same episode, nothing new
    expect((await h.app.watchFleet())!.posted).toEqual([]);
    expect(ws.channelMessages(CHANNEL)).toHaveLength(1);
    const audit = await h.store.auditEntries({ since: NOW - 60 });
    expect(audit.filter((e) => e.kind === "watch" && e.outcome === "capped").map((e) => e.target?.name)).toEqual([
      "orders",
      "checkout",
    ]);
  });

  it("/mem help says what the watch does; without watch: it says how to turn it on", async () => {
    const h = await start();
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "help" });
    const on = await h.emulator.workspace.waitFor(() => h.emulator.workspace.ephemeralFor(ALICE).at(-1));
    expect(messageText(on)).toContain(`*Fleet watch:* on, every 5m: \`shop\` → <#${CHANNEL}>. Warns 6h ahead`);
    const off = await start({ policy: { ...policy, watch: undefined } });
    await off.slack.slash({ user: ALICE, channel: CHANNEL, text: "help" });
    const text = await off.emulator.workspace.waitFor(() => off.emulator.workspace.ephemeralFor(ALICE).at(-1));
    expect(messageText(text)).toContain("*Fleet watch:* off. Add a `watch:` section to the policy file");
    expect(await off.app.watchFleet()).toBeNull();
  });
});
