/**
 * After a fix, the story is not rewritten: a re-diagnosis judges the hours before the raise by the limit
 * in effect then, the parent keeps its last action and stops offering what is already in effect, and the
 * incident's summary is the incident's, not the last diagnosis's.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MiB } from "../../src/core/quantity.ts";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import type { FakeCluster } from "../support/fake-cluster.ts";
import { messageText } from "../support/message-text.ts";
import {
  apiLimit,
  approveCard,
  BOB,
  buttons,
  noLeak,
  policy,
  requestFromParent,
} from "../support/remediation-fixtures.ts";
import { NOW, SHOP, shopCluster } from "../support/shop-scenario.ts";

describe("history is not rewritten", () => {
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
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    });
  });
  afterEach(async () => h.stop());
  const ws = () => h.emulator.workspace;
  const parentOf = (ts: string) => ws().message(CHANNEL, ts)!;

  async function raiseAndApprove(parentTs: string) {
    const { card, id } = await requestFromParent(h, parentOf(parentTs), "Raise api limit to 640Mi");
    await approveCard(h, BOB, card, id, parentTs);
    await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parentTs)
        .find((m) => m.text.startsWith("Verified")),
    );
  }

  it("a re-diagnosis after the raise keeps the OOM cycle, the last action and no raise to what is in effect", async () => {
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    const parent = await ws().waitFor(() =>
      ws()
        .channelMessages(CHANNEL)
        .find((m) => buttons(m).length > 0),
    );
    expect(messageText(parent)).toContain("*Trend:* oom-cycle");
    nowMs += 120_000; // the raise, two minutes later
    await raiseAndApprove(parent.ts);
    expect(apiLimit(cluster)).toBe(640 * MiB);
    const raisedAt = nowMs / 1000;
    await ws().waitFor(() => (messageText(parentOf(parent.ts)).includes("*Last action:*") ? true : undefined));

    nowMs += 180_000;
    const updates = parentOf(parent.ts).updates;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    // the second report is in the thread, and the parent was rewritten after it
    const again = await ws().waitFor(() =>
      ws()
        .thread(CHANNEL, parent.ts)
        .filter((m) => m.text.startsWith("Memory report")).length === 2 && parentOf(parent.ts).updates > updates
        ? parentOf(parent.ts)
        : undefined,
    );
    const text = messageText(parentOf(again.ts));
    // the OOM cycle happened, at the old limit; it is not "no memory problem" and not a spike
    expect(text).not.toContain("no memory problem found");
    expect(text).toContain("*Trend:* oom-cycle");
    const when = new Date(raisedAt * 1000).toISOString().slice(0, 16).replace("T", " ");
    expect(text).toContain(
      `${SHOP.killed}/api was in an OOM-kill cycle (4 kills) until the limit was raised from 512Mi to 640Mi at ${when} UTC; no OOM kill since`,
    );
    // what was done stays on the parent; the raise that is in effect is not offered again
    expect(text).toContain("*Last action:* Raise the memory limit of api in deploy/api from 512Mi to 640Mi");
    expect(buttons(parentOf(again.ts)).map((b) => b.text.text)).not.toContain("Raise api limit to 640Mi");
    expect(buttons(parentOf(again.ts)).some((b) => b.text.text.startsWith("Raise api limit"))).toBe(false);
    // the parent's times are Slack dates, not "8s ago"
    expect(JSON.stringify(parentOf(again.ts).blocks)).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|/);
    expect(text).not.toMatch(/\d+[smh] ago/);

    // the summary is the incident's: found an OOM cycle, raised the limit, it held
    const summarize = buttons(parentOf(again.ts)).find((b) => b.action_id === "mem:summarize")!;
    await h.slack.click({
      user: ALICE,
      channel: CHANNEL,
      messageTs: parent.ts,
      actionId: "mem:summarize",
      value: summarize.value,
    });
    const summary = messageText(
      await ws().waitFor(() =>
        ws()
          .thread(CHANNEL, parent.ts)
          .find((m) => m.text.startsWith("Summary:")),
      ),
    );
    expect(summary).toContain(
      `*OOM cycle; limit of api raised 512Mi → 640Mi at ${when} UTC by <@U0BOB>; verified; no OOM kill since*`,
    );
    expect(summary).toContain("*Category:* OOM-kill cycle (limit below peak usage)");
    expect(summary).toContain("is in an OOM-kill cycle (4 OOM kills"); // the evidence of the diagnosis that found it
    expect(summary.match(/commit /g)).toHaveLength(1);
  });
});
