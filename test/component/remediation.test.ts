import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MiB } from "../../src/core/quantity.ts";
import { parsePolicy } from "../../src/core/remediation/policy.ts";
import { validateBlocks } from "../../src/slack/emulator/block-kit.ts";
import { verifyChain } from "../../src/core/audit.ts";
import type { EmuMessage } from "../../src/slack/emulator/workspace.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
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
import { pod, workload } from "../support/fixtures.ts";
import { NOW, shopCluster } from "../support/shop-scenario.ts";
import {
  approveAndAwait,
  BOB,
  buttons,
  CAROL,
  clickButton,
  DAVE,
  MALLORY,
  noLeak,
  policy,
} from "../support/remediation-fixtures.ts";

describe("remediation behind two-person approval (Bolt over HTTP, emulator, fake cluster)", () => {
  let h: Harness;
  let cluster: FakeCluster;
  let nowMs = NOW * 1000;
  beforeEach(async () => {
    nowMs = NOW * 1000;
    cluster = shopCluster({ patchers: ["bob@example.com"] });
    h = await startHarness({
      cluster,
      metrics: noLeak(),
      clock: { now: () => nowMs / 1000 },
      policy,
      users: [ALICE, BOB, CAROL, DAVE, MALLORY].map((id) => ({ id, name: id.slice(2).toLowerCase() })),
      usergroups: { S0SRE: [BOB, CAROL, DAVE] },
    });
  });
  afterEach(async () => h.stop());

  const ws = () => h.emulator.workspace;
  const lastEphemeral = (user: string) => ws().ephemeralFor(user).at(-1)?.text ?? "";

  async function diagnoseAndRequest(label: RegExp) {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    const parent = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => buttons(m).length > 0),
    );
    await clickButton(h, parent, label);
    const card = await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => messageText(m).includes("Approval needed")),
    );
    // the request flow ends once memops has recorded where its card is
    const id = buttons(card)[0]!.value;
    await cardRecorded(h.store, id);
    return {
      parent,
      card,
      approve: buttons(card).find((b) => b.action_id === "mem:approve")!,
      deny: buttons(card).find((b) => b.action_id === "mem:deny")!,
    };
  }

  const approveAs = (user: string, card: EmuMessage, value: string) =>
    h.slack.click({
      user,
      channel: CHANNEL,
      messageTs: card.ts,
      actionId: "mem:approve",
      value,
      threadTs: card.threadTs ?? undefined,
    });
  const realPatches = () =>
    cluster.calls.filter((c) => c.method === "patchWorkload" && !(c.args[2] as { dryRun: boolean }).dryRun);

  it("offers bounded remediations; the request card shows the dry run and mentions the approvers", async () => {
    const { parent, card, approve } = await diagnoseAndRequest(/Raise api limit to 640Mi/);
    const offers = buttons(parent).filter((b) => b.action_id.startsWith("mem:request"));
    expect(offers.map((b) => b.text.text)).toEqual(["Raise api limit to 640Mi", "Rolling restart"]);
    expect(offers.every((b) => /^[0-9a-f-]{36}$/.test(b.value))).toBe(true);
    const text = messageText(card);
    expect(text).toContain("Approval needed: Raise the memory limit of api in deploy/api from 512Mi to 640Mi");
    expect(text).toContain("Requested by <@U0ALICE>");
    expect(text).toContain("Needs 1 more approval from <!subteam^S0SRE>");
    expect(text).toContain("spec.template.spec.containers[api].resources.limits.memory: 512Mi → 640Mi");
    expect(text).toContain("accepted by the API server (dry run): api: limit 640Mi, request 256Mi");
    expect(text).toContain(
      "*Pre-flight checks*\n:white_check_mark: a pod (requests 320Mi) fits the largest node (16Gi allocatable)",
    );
    expect(approve).toMatchObject({ style: "primary", confirm: { confirm: { text: "Approve" } } });
    expect(validateBlocks(card.blocks)).toBeNull();
    expect(realPatches()).toHaveLength(0);
  });

  it("did the fix hold? a day and a week after the change memops looks again, once each, on the record and in the thread", async () => {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/api -n shop" });
    const card = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => messageText(m).includes("Approval needed")),
    );
    await approveAndAwait(h, BOB, card);
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, card.ts)
        .find((m) => /^(Verified|Not verified)/.test(m.text)),
    );
    expect(await h.app.recheckFixes()).toBe(0); // nothing due yet
    nowMs += 86_400_000;
    expect(await h.app.recheckFixes()).toBe(1);
    const day = ws()
      .thread(CHANNEL, card.ts)
      .find((m) => m.text.includes("1d later"))!;
    // the fake Prometheus has no samples a day on: memory is unknown, and unknown does not pass
    expect(messageText(day)).toContain(":x: *Did not hold 1d later:* Rolling restart of deploy/api in shop");
    expect(messageText(day)).toContain("• no OOM kill in the 1d since the change");
    expect(messageText(day)).toContain("• memory now: unknown");
    expect(await h.app.recheckFixes()).toBe(0); // once
    nowMs += 6 * 86_400_000;
    expect(await h.app.recheckFixes()).toBe(1);
    expect(
      ws()
        .thread(CHANNEL, card.ts)
        .filter((m) => m.text.includes("later:")),
    ).toHaveLength(2);
    const audit = (await h.store.auditEntries({})).filter(
      (e) => e.kind === "verification" && "afterSeconds" in e.details,
    );
    expect(audit.map((e) => [e.outcome, e.details["afterSeconds"]])).toEqual([
      ["did not hold after 1d", 86_400],
      ["did not hold after 7d", 604_800],
    ]);
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "stats --since 30d" });
    const stats = await ws().waitFor(() =>
      ws()
        .ephemeralFor(ALICE)
        .find((m) => m.text.startsWith("Remediations in")),
    );
    expect(messageText(stats)).toContain("• *restart*: 1 executed, 0 held (0%), 1 did not");
    expect(messageText(stats)).toContain("No verified fix followed a warning or an alert in that time.");
  });

  it("refuses self-approval, outsiders, approvers without Kubernetes permission, and approvers with no mapped identity", async () => {
    const { card, approve } = await diagnoseAndRequest(/Raise api limit/);
    for (const [user, says] of [
      [ALICE, "you asked for this change: another person must approve it"],
      [MALLORY, "you are not an approver for raise-limit in namespace shop"],
      [
        CAROL,
        "your Kubernetes identity (carol@example.com) may not patch deployments/api in shop, so you cannot approve it",
      ],
      [DAVE, "no Kubernetes identity is mapped to you in the policy"],
    ] as const) {
      await approveAs(user, card, approve.value);
      await ws().waitFor(() => lastEphemeral(user).includes(says));
    }
    expect(realPatches()).toHaveLength(0);
    expect(buttons(ws().message(CHANNEL, card.ts)!)).toHaveLength(2);
  });

  it("20 concurrent approve clicks patch the Deployment once, only the named container, and replace the buttons", async () => {
    const { parent, card, approve } = await diagnoseAndRequest(/Raise api limit/);
    const before = structuredClone(cluster.data.workloads.find((w) => w.kind === "deployment" && w.name === "api")!);
    await Promise.all(Array.from({ length: 20 }, () => approveAs(BOB, card, approve.value)));
    const done = await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Done:")),
    );
    expect(messageText(done)).toContain(
      "Done:* Raise the memory limit of api in deploy/api from 512Mi to 640Mi (approved by <@U0BOB>, requested by <@U0ALICE>)",
    );
    expect(realPatches()).toHaveLength(1);
    const after = cluster.data.workloads.find((w) => w.kind === "deployment" && w.name === "api")!;
    expect(after.template.containers).toEqual([
      { name: "api", requestBytes: 256 * MiB, limitBytes: 640 * MiB },
      before.template.containers[1],
    ]);
    expect(after.replicas).toBe(before.replicas);
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Verified")),
    );
    await ws().waitFor(() => messageText(ws().message(CHANNEL, parent.ts)!).includes("*Last action:*"));
    expect(messageText(ws().message(CHANNEL, parent.ts)!)).toContain(
      "*Last action:* Raise the memory limit of api in deploy/api from 512Mi to 640Mi — approved by <@U0BOB>, :white_check_mark: verified",
    );
    const verified = ws()
      .thread(CHANNEL, parent.ts)
      .find((m) => m.text.startsWith("Verified"));
    expect(messageText(verified!)).toMatch(
      /Verified:\* Raise the memory limit of api.*\n• rollout finished: 3\/3 updated, 3 available\n• no new OOM kills or restarts in 0s\n• memory at most \d+% of its limit \(api-7d9c8f6b5d-\w+\/api: \d+Mi of 640Mi\)/s,
    );
    const decided = ws().message(CHANNEL, card.ts)!;
    expect(buttons(decided)).toEqual([]);
    expect(messageText(decided)).toMatch(/Approved by <@U0BOB> at .* · executed: patched; generation 5/);
    // a replay of the same payload afterwards executes nothing
    await approveAs(BOB, card, approve.value);
    await ws().waitFor(() => lastEphemeral(BOB).includes("already executed by <@U0BOB>"));
    expect(realPatches()).toHaveLength(1);

    // Everything is in the audit log, in order, and the chain verifies.
    const audit = await h.store.auditEntries();
    expect(verifyChain(audit, undefined, { keys: AUDIT_KEYS })).toEqual({ ok: true, entries: audit.length });
    expect(audit[0]).toMatchObject({
      kind: "command",
      slackUser: ALICE,
      what: "/mem diagnose deploy/api -n shop",
      outcome: "accepted",
    });
    expect(audit.find((e) => e.kind === "request")).toMatchObject({
      slackUser: ALICE,
      target: { kind: "deployment", name: "api", namespace: "shop" },
      outcome: "pending",
    });
    const mutations = audit.filter((e) => e.kind === "mutation");
    expect(mutations).toHaveLength(1);
    expect(mutations[0]).toMatchObject({
      slackUser: BOB,
      kubernetesIdentity: "memops (service account), approved as bob@example.com",
      outcome: "ok: patched; generation 5",
      details: {
        route: "live",
        patch: [
          { op: "test", path: "/spec/template/spec/containers/0/name", value: "api" },
          {
            op: "test",
            path: "/spec/template/spec/containers/0/resources",
            value: { limits: { memory: "512Mi" }, requests: { memory: "256Mi" } },
          },
          { op: "add", path: "/spec/template/spec/containers/0/resources/limits", value: { memory: "640Mi" } },
        ],
      },
    });
    // the intent is on the record before the change, with the same patch
    const intent = audit.findIndex((e) => e.kind === "intent");
    expect(intent).toBeGreaterThan(-1);
    expect(intent).toBeLessThan(audit.indexOf(mutations[0]!));
    expect(audit[intent]).toMatchObject({
      slackUser: BOB,
      outcome: "about to send",
      details: { proposal: approve.value, patch: mutations[0]!.details["patch"], requester: ALICE },
    });
    expect(audit.filter((e) => e.kind === "approval").map((e) => e.outcome)).toContain("approved");
    expect(
      audit.filter((e) => e.kind === "approval" && e.outcome.startsWith("refused: already executed")).length,
    ).toBeGreaterThanOrEqual(1);
    expect(audit.find((e) => e.kind === "verification")).toMatchObject({ outcome: "verified" });
  });

  it("a change the namespace's LimitRange would reject is refused before anyone is asked to approve it", async () => {
    cluster.data.limits = { limitRangeMaxBytes: 600 * MiB };
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    const parent = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => buttons(m).length > 0),
    );
    const raise = buttons(parent).find((b) => b.text.text.startsWith("Raise"))!;
    await h.slack.click({
      user: ALICE,
      channel: CHANNEL,
      messageTs: parent.ts,
      actionId: raise.action_id,
      value: raise.value,
    });
    await ws().waitFor(() =>
      lastEphemeral(ALICE).includes(
        "this change would fail after approval: 640Mi is above the namespace's LimitRange maximum (600Mi): new pods would be rejected",
      ),
    );
    expect(
      ws()
        .thread(CHANNEL, parent.ts)
        .filter((m) => messageText(m).includes("Approval needed")),
    ).toHaveLength(0);
    expect(await h.store.proposal(raise.value)).toMatchObject({
      status: "failed",
      result: expect.stringContaining("pre-flight: 640Mi is above"),
    });
  });

  it("a forged id or a payload from another channel is refused and changes nothing", async () => {
    const { card, approve } = await diagnoseAndRequest(/Rolling restart/);
    await approveAs(BOB, card, "0f0f0f0f-forged-0000-0000-000000000000");
    await ws().waitFor(() => lastEphemeral(BOB).includes("memops has no such request"));
    ws().channels.set("C0OTHER", { id: "C0OTHER", name: "other", isPrivate: false, members: new Set([BOB]) });
    await h.slack.click({
      user: BOB,
      channel: "C0OTHER",
      messageTs: card.ts,
      actionId: "mem:approve",
      value: approve.value,
    });
    await ws().waitFor(() => lastEphemeral(BOB).includes("this request belongs to another channel"));
    expect(realPatches()).toHaveLength(0);
    expect(approve.style).toBe("danger"); // a restart kills pods
  });

  it("an unanswered request expires: recorded, card updated, approval refused", async () => {
    const { card, approve } = await diagnoseAndRequest(/Rolling restart/);
    nowMs += 16 * 60_000;
    await h.app.sweepExpired();
    const expired = ws().message(CHANNEL, card.ts)!;
    expect(messageText(expired)).toContain(":hourglass: Expired");
    expect(buttons(expired)).toEqual([]);
    await approveAs(BOB, card, approve.value);
    await ws().waitFor(() => lastEphemeral(BOB).includes("this request is expired"));
    expect(realPatches()).toHaveLength(0);
    expect((await h.store.auditEntries()).filter((e) => e.kind === "expiry")).toMatchObject([
      {
        target: { kind: "deployment", name: "api", namespace: "shop" },
        outcome: "expired",
        details: { requester: ALICE },
      },
    ]);
  });

  it("a denial is recorded on the card and nothing runs", async () => {
    const { card, deny, approve } = await diagnoseAndRequest(/Rolling restart/);
    await h.slack.click({ user: CAROL, channel: CHANNEL, messageTs: card.ts, actionId: "mem:deny", value: deny.value });
    await ws().waitFor(() => messageText(ws().message(CHANNEL, card.ts)!).includes(":no_entry: Denied by <@U0CAROL>"));
    await approveAs(BOB, card, approve.value);
    await ws().waitFor(() => lastEphemeral(BOB).includes("already denied by <@U0CAROL>"));
    expect(realPatches()).toHaveLength(0);
    expect((await h.store.auditEntries()).filter((e) => e.kind === "denial")).toMatchObject([
      { slackUser: CAROL, outcome: "denied" },
    ]);
  });
});

describe("remediation by command: the same proposal and approval card, never a shortcut", () => {
  let h: Harness;
  let cluster: FakeCluster;
  beforeEach(async () => {
    cluster = shopCluster({
      patchers: ["bob@example.com"],
      autoscalers: { "shop/deployment/api-canary": "api-canary" },
    });
    // the fake answers every SubjectAccessReview for patch by bob, HPAs included
    cluster.data.workloads.push(workload({ kind: "deployment", name: "api-canary" }));
    cluster.data.pods.push(pod({ name: "debug-shell" }));
    h = await startHarness({
      cluster,
      metrics: noLeak(),
      clock: { now: () => NOW },
      policy,
      users: [ALICE, BOB, CAROL].map((id) => ({ id, name: id.slice(2).toLowerCase() })),
      usergroups: { S0SRE: [BOB, CAROL] },
    });
  });
  afterEach(async () => h.stop());
  const ws = () => h.emulator.workspace;
  const reply = (user: string) => ws().waitFor(() => ws().ephemeralFor(user).at(-1)?.text);

  it("/mem limit asks; the card stands in the channel; an approver executes it once", async () => {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "limit deploy/api -n shop --container api 1Gi" });
    const card = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => messageText(m).includes("Approval needed")),
    );
    expect(messageText(card)).toContain(
      "Approval needed: Raise the memory limit of api in deploy/api from 512Mi to 1Gi",
    );
    expect(messageText(card)).toContain("Requested by <@U0ALICE>");
    await approveAndAwait(h, BOB, card);
    expect(
      cluster.data.workloads.find((w) => w.name === "api" && w.kind === "deployment")!.template.containers[0],
    ).toEqual({ name: "api", requestBytes: 256 * MiB, limitBytes: 1024 * MiB });
  });

  it.each([
    ["limit deploy/api -n shop --container api 2Gi", "at most ×2 per step: api can go from 512Mi to 1Gi now"],
    ["limit deploy/api -n shop 1Gi", "which container? add --container api|envoy"],
    ["limit deploy/api -n shop --container api lots", '"lots" is not a memory quantity'],
    ["scale deploy/api -n shop 2", "2 is not more than the current 3 replicas"],
    [
      "restart pod/debug-shell -n shop",
      "Pod debug-shell has no controller: memops will not delete a bare pod, which would not come back",
    ],
    ["restart ns/shop", "a remediation acts on one workload, not a namespace"],
  ])("/mem %s → %s", async (text, says) => {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text });
    expect(await reply(ALICE)).toContain(says);
    expect(ws().messages.filter((m) => messageText(m).includes("Approval needed"))).toHaveLength(0);
    expect(
      cluster.calls.filter((c) => c.method === "patchWorkload" && !(c.args[2] as { dryRun: boolean }).dryRun),
    ).toHaveLength(0);
  });

  it("/mem scale on a workload an HPA owns proposes raising the HPA's ceiling; approval patches the HPA only", async () => {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "scale deploy/api-canary -n shop 5" });
    const card = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => messageText(m).includes("Approval needed")),
    );
    expect(messageText(card)).toContain(
      "Approval needed: Let the HorizontalPodAutoscaler api-canary scale deploy/api-canary up to 6 replicas (was 5)",
    );
    expect(messageText(card)).toContain("HorizontalPodAutoscaler api-canary spec.maxReplicas: 5 → 6");
    expect(messageText(card)).toContain(
      "accepted by the API server (dry run): HorizontalPodAutoscaler shop/api-canary",
    );
    await approveAndAwait(h, BOB, card);
    expect(cluster.autoscalerPatches.filter((p) => !p.dryRun)).toEqual([
      {
        ref: { name: "api-canary", namespace: "shop" },
        ops: [
          { op: "test", path: "/spec/maxReplicas", value: 5 },
          { op: "replace", path: "/spec/maxReplicas", value: 6 },
        ],
        dryRun: false,
      },
    ]);
    expect(cluster.calls.filter((c) => c.method === "patchWorkload")).toHaveLength(0);
  });

  it("with an open incident for the workload, a command's approval card goes into its thread", async () => {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    const parent = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => messageText(m).includes("Full report")),
    );
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/api -n shop" });
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => messageText(m).includes("Approval needed: Rolling restart of deploy/api")),
    );
    expect(ws().channelMessages(CHANNEL)).toHaveLength(1);
  });

  it("without a policy, remediation commands say it is off", async () => {
    const off = await startHarness({ cluster: shopCluster(), metrics: noLeak(), clock: { now: () => NOW } });
    try {
      await off.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/api -n shop" });
      expect(await off.emulator.workspace.waitFor(() => off.emulator.workspace.ephemeralFor(ALICE).at(-1)?.text)).toBe(
        "Remediation is off: memops has no approval policy (MEMOPS_POLICY_FILE).",
      );
    } finally {
      await off.stop();
    }
  });
});

describe("GitOps-managed workloads get the GitOps path, not a live patch", () => {
  let h: Harness;
  let cluster: FakeCluster;
  async function start(labels: Record<string, string>) {
    cluster = shopCluster({ patchers: ["bob@example.com"] });
    const api = cluster.data.workloads.find((w) => w.kind === "deployment" && w.name === "api")!;
    api.labels = { ...api.labels, ...labels };
    h = await startHarness({
      cluster,
      metrics: noLeak(),
      clock: { now: () => NOW },
      policy,
      users: [ALICE, BOB].map((id) => ({ id, name: id.slice(2).toLowerCase() })),
      usergroups: { S0SRE: [BOB] },
    });
  }
  afterEach(async () => h.stop());
  const ws = () => h.emulator.workspace;
  /** deploy/api managed by the Flux HelmRelease flux-system/shop-api; Alice asks for 1Gi */
  async function fluxLimitCard() {
    await start({ "helm.toolkit.fluxcd.io/name": "shop-api", "helm.toolkit.fluxcd.io/namespace": "flux-system" });
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "limit deploy/api -n shop --container api 1Gi" });
    return ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => messageText(m).includes("Approval needed")),
    );
  }

  it("Flux HelmRelease: the approval changes the HelmRelease's values; the Deployment is not patched", async () => {
    const card = await fluxLimitCard();
    const text = messageText(card);
    expect(text).toContain("HelmRelease flux-system/shop-api spec.values.resources.limits.memory: 512Mi → 1Gi");
    expect(text).toContain(
      "Managed by Flux HelmRelease flux-system/shop-api*: memops changes the HelmRelease's values and asks Flux to reconcile",
    );
    expect(text).toContain(
      "accepted by the API server (dry run): HelmRelease flux-system/shop-api values; generation 7",
    );
    const { outcome: done } = await approveAndAwait(h, BOB, card);
    expect(messageText(done)).toContain(
      "HelmRelease flux-system/shop-api values changed (generation 8); Flux reconciles it",
    );
    expect(cluster.helmReleasePatches.filter((p) => !p.dryRun)).toHaveLength(1);
    // the patch is preconditioned on the release's resourceVersion as the card saw it
    expect(cluster.helmReleasePatches.at(-1)?.patch).toMatchObject({ metadata: { resourceVersion: "100" } });
    expect(cluster.calls.filter((c) => c.method === "patchWorkload")).toHaveLength(0);
  });

  it("Flux HelmRelease changed after the card was made: the approval is refused, nothing is patched, the thread says so", async () => {
    const card = await fluxLimitCard();
    cluster.helmReleaseVersions.set("flux-system/shop-api", 101); // someone edits the release meanwhile
    const { outcome } = await approveAndAwait(h, BOB, card, "Not run:");
    expect(messageText(outcome)).toContain("the HelmRelease changed since this card was made");
    expect(cluster.helmReleasePatches.filter((p) => !p.dryRun)).toHaveLength(0);
    expect((await h.store.auditEntries()).filter((e) => e.kind === "mutation")).toMatchObject([
      { outcome: "refused by the API server, the object changed: the HelmRelease changed since this card was made" },
    ]);
  });

  it("Argo CD: the card hands out the patch for Git, with nothing to approve", async () => {
    await start({ "argocd.argoproj.io/instance": "shop" });
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "limit deploy/api -n shop --container api 1Gi" });
    const card = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => messageText(m).includes("For Git")),
    );
    expect(messageText(card)).toContain(
      "Managed by Argo CD application shop*: a live patch would be reverted at the next sync, and memops does not write to Git. Commit this change to Git:",
    );
    expect(messageText(card)).toContain('"memory": "1Gi"');
    expect(buttons(card)).toEqual([]);
    expect(cluster.calls.filter((c) => c.method === "patchWorkload" || c.method === "patchHelmRelease")).toHaveLength(
      0,
    );
  });
});

describe("a protected namespace: two distinct approvers", () => {
  it("the first approval updates the card and waits; the second executes", async () => {
    const protectedPolicy = parsePolicy({
      rules: [{ namespaces: ["shop"], actions: ["restart"], request: ["*"], approve: ["S0LEADS"], approvals: 2 }],
      identities: { [BOB]: { user: "bob@example.com" }, [CAROL]: { user: "carol@example.com" } },
    });
    if (!protectedPolicy.ok) throw new Error(protectedPolicy.error.join("; "));
    const cluster = shopCluster({ patchers: ["bob@example.com", "carol@example.com"] });
    const h = await startHarness({
      cluster,
      metrics: noLeak(),
      clock: { now: () => NOW },
      policy: protectedPolicy.value,
      users: [ALICE, BOB, CAROL].map((id) => ({ id, name: id })),
      usergroups: { S0LEADS: [BOB, CAROL] },
    });
    try {
      const ws = h.emulator.workspace;
      await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/api -n shop" });
      const card = await ws.waitFor(() =>
        ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Approval needed")),
      );
      expect(messageText(card)).toContain("Needs 2 more approvals from <!subteam^S0LEADS>");
      const id = buttons(card).find((b) => b.action_id === "mem:approve")!.value;
      await cardRecorded(h.store, id);
      await h.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
      await ws.waitFor(() => ws.ephemeralFor(BOB).find((e) => e.text === "Approved. It needs 1 more approval."));
      expect(messageText(ws.message(CHANNEL, card.ts)!)).toContain(
        "Needs 1 more approval from <!subteam^S0LEADS> · approved so far by <@U0BOB>",
      );
      expect(
        cluster.calls.filter((c) => c.method === "patchWorkload" && !(c.args[2] as { dryRun: boolean }).dryRun),
      ).toHaveLength(0);
      await h.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
      await ws.waitFor(() =>
        ws.ephemeralFor(BOB).find((e) => e.text === "you already approved this; it needs another approver"),
      );
      await h.slack.click({ user: CAROL, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
      await ws.waitFor(() => ws.thread(CHANNEL, card.ts).find((m) => m.text.startsWith("Done:")));
      expect(
        cluster.calls.filter((c) => c.method === "patchWorkload" && !(c.args[2] as { dryRun: boolean }).dryRun),
      ).toHaveLength(1);
    } finally {
      await h.stop();
    }
  });
});

describe("a policy ceiling on the limit", () => {
  it("OOM-killed at the ceiling: no raise button, and the next steps say the ceiling is the problem", async () => {
    const capped = parsePolicy({
      rules: [
        {
          namespaces: ["shop"],
          actions: ["restart", "raise-limit"],
          request: ["*"],
          approve: ["S0SRE"],
          limitCeiling: "512Mi",
        },
      ],
    });
    if (!capped.ok) throw new Error(capped.error.join("; "));
    const h = await startHarness({
      cluster: shopCluster(),
      metrics: noLeak(),
      clock: { now: () => NOW },
      policy: capped.value,
      users: [ALICE].map((id) => ({ id, name: id })),
    });
    try {
      const ws = h.emulator.workspace;
      await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
      const parent = await ws.waitFor(() => ws.channelMessages(CHANNEL).find((m) => buttons(m).length > 0));
      expect(buttons(parent).map((b) => b.text.text)).not.toContainEqual(expect.stringMatching(/^Raise/));
      expect(buttons(parent).map((b) => b.text.text)).toContain("Rolling restart");
      const thread = ws.thread(CHANNEL, parent.ts).map(messageText).join("\n");
      expect(thread).toMatch(
        /Container api was OOM-killed at 512Mi, the policy's ceiling for this namespace: the ceiling is the problem, not the limit/,
      );
      expect(thread).not.toMatch(/Raise the memory limit of container api/);
    } finally {
      await h.stop();
    }
  });
});

describe("a verification watch outlives its replica (a lease on the watch row)", () => {
  it("replica A executes and starts watching, then dies; replica B takes the watch over after the lease and reports once", async () => {
    let nowMs = NOW * 1000;
    const clock = { now: () => nowMs / 1000 };
    const cluster = shopCluster({ patchers: ["bob@example.com"] });
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "memops-")), "memops.db"));
    const emulator = await new SlackEmulator({
      botToken: BOT_TOKEN,
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    }).start();
    const shared = { cluster, metrics: noLeak(), clock, policy, emulator, store, verifyWindowSeconds: 600 };
    const a = await startHarness({ ...shared, sleep: () => new Promise<void>(() => undefined) }); // A hangs in its watch, then dies
    const b = await startHarness({
      ...shared,
      sleep: async (ms) => {
        nowMs += ms;
      },
    });
    try {
      const ws = emulator.workspace;
      await a.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/api -n shop" });
      const card = await ws.waitFor(() =>
        ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Approval needed")),
      );
      const id = buttons(card).find((x) => x.action_id === "mem:approve")!.value;
      await cardRecorded(store, id);
      await a.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
      await ws.waitFor(() => ws.thread(CHANNEL, card.ts).find((m) => m.text.startsWith("Done:")));
      await a.stop(); // its watch is abandoned mid-way, lease and all

      await b.app.resumeWatches();
      await b.app.idle();
      expect(ws.thread(CHANNEL, card.ts).filter((m) => m.text.startsWith("Verified"))).toHaveLength(0); // the lease is still A's

      nowMs += 31_000; // A's lease has run out
      await b.app.resumeWatches();
      const outcome = (m: { text: string }) => m.text.startsWith("Verified") || m.text.startsWith("Not verified");
      const report = await ws.waitFor(() => ws.thread(CHANNEL, card.ts).find(outcome));
      await b.app.idle();
      // B watched what was left of the 10-minute window (the fixture's samples end at the change, so memory is unknown).
      expect(messageText(report)).toContain("• no new OOM kills or restarts in 9m 29s");
      expect(ws.thread(CHANNEL, card.ts).filter(outcome)).toHaveLength(1);
      await b.app.resumeWatches();
      expect((await store.auditEntries()).filter((e) => e.kind === "verification")).toHaveLength(1);
    } finally {
      await b.stop();
      await emulator.stop();
      await store.close();
    }
  });
});
