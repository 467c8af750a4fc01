import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { approveCard, requestFromParent } from "../support/remediation-fixtures.ts";
import { MiB } from "../../src/core/quantity.ts";
import { parsePolicy } from "../../src/core/remediation/policy.ts";
import { validateBlocks } from "../../src/slack/emulator/block-kit.ts";
import type { EmuMessage } from "../../src/slack/emulator/workspace.ts";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { FakeMetrics } from "../support/fake-metrics.ts";
import { series } from "../support/fixtures.ts";
import { messageText } from "../support/message-text.ts";
import { NOW, SHOP, shopCluster, shopSeries } from "../support/shop-scenario.ts";

const BOB = "U0BOB";
type Button = { action_id: string; value: string; text: { text: string } };
const buttons = (m: EmuMessage): Button[] =>
  (m.blocks as { type: string; elements?: Button[] }[])
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? []);
const noLeak = () =>
  new FakeMetrics(
    shopSeries().map((s) =>
      s.pod === SHOP.leaking && s.container === "api"
        ? { ...s, workingSet: series(6 * 3600, 60, () => 380 * MiB, 3 * MiB, 7) }
        : s,
    ),
  );

describe("incident summaries: Summarize and Resolve on the parent", () => {
  let h: Harness;
  beforeEach(async () => {
    const policy = parsePolicy({
      rules: [{ namespaces: ["shop"], actions: ["restart", "raise-limit"], request: ["*"], approve: ["S0SRE"] }],
      identities: { [BOB]: { user: "bob@example.com" } },
    });
    if (!policy.ok) throw new Error(policy.error.join("; "));
    h = await startHarness({
      cluster: shopCluster({ patchers: ["bob@example.com"] }),
      metrics: noLeak(),
      clock: { now: () => NOW },
      policy: policy.value,
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    });
  });
  afterEach(async () => h.stop());
  const ws = () => h.emulator.workspace;

  it("summarizes what happened, resolves with a final summary, and a later diagnosis opens a new incident", async () => {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    const parent = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => buttons(m).some((b) => b.action_id === "mem:summarize")),
    );
    const { card, id } = await requestFromParent(h, parent, "Raise api limit to 640Mi");
    await approveCard(h, BOB, card, id, parent.ts);
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Verified")),
    );

    const summarizeButton = buttons(ws().message(CHANNEL, parent.ts)!).find((b) => b.action_id === "mem:summarize")!;
    await h.slack.click({
      user: ALICE,
      channel: CHANNEL,
      messageTs: parent.ts,
      actionId: "mem:summarize",
      value: summarizeButton.value,
    });
    const summary = await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Summary:")),
    );
    const text = messageText(summary);
    expect(validateBlocks(summary.blocks)).toBeNull();
    expect(text).toContain("Summary: Memory incident: deployment/api -n shop");
    // the incident in one line: what was found, what was done, whether it held
    expect(text).toContain(
      "*OOM cycle; limit of api raised 512Mi → 640Mi at 2026-09-21 14:13 UTC by <@U0BOB>; verified*",
    );
    expect(text).toContain(`• ${SHOP.killed}/api was OOMKilled at 2026-09-21 14:01 UTC (4 restarts, CrashLoopBackOff)`);
    expect(text).toContain("*Category:* OOM-kill cycle (limit below peak usage)");
    expect(text).toMatch(
      /Raise the memory limit of api in deploy\/api from 512Mi to 640Mi: requested by <@U0ALICE>, approved by <@U0BOB>, ok: patched; generation 5/,
    );
    expect(text).toMatch(/Raise the memory limit of api in deploy\/api from 512Mi to 640Mi: verified/);
    expect(text).toContain(
      "commit spec.template.spec.containers[api].resources.limits.memory = 640Mi to the manifests or Git",
    );
    // a mention is a mention, a time a Slack date
    expect(JSON.stringify(summary.blocks)).toContain("by <@U0BOB>");
    expect(JSON.stringify(summary.blocks)).toMatch(
      /at <!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-09-21 14:13 UTC> by/,
    );

    await h.slack.click({
      user: BOB,
      channel: CHANNEL,
      messageTs: parent.ts,
      actionId: "mem:resolve",
      value: summarizeButton.value,
    });
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith("Final summary:")),
    );
    const resolved = await ws().waitFor(() =>
      messageText(ws().message(CHANNEL, parent.ts)!).includes("Resolved by")
        ? ws().message(CHANNEL, parent.ts)
        : undefined,
    );
    expect(messageText(resolved)).toContain("Resolved by <@U0BOB> — the final summary is in the thread");
    expect(buttons(resolved)).toEqual([]);
    expect((await h.store.auditEntries()).filter((e) => e.kind === "incident")).toMatchObject([
      { slackUser: BOB, target: { kind: "deployment", name: "api", namespace: "shop" }, what: "incident resolved" },
    ]);

    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    await ws().waitFor(
      () =>
        ws().channelMessages(CHANNEL).length === 2 &&
        messageText(ws().channelMessages(CHANNEL)[1]!).includes("Full report"),
    );
  });
});
