import { afterEach, describe, expect, it } from "vitest";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { NOW, SHOP, shopCluster, shopMetrics } from "../support/shop-scenario.ts";

describe("Socket Mode (SLACK_APP_TOKEN set)", () => {
  let h: Harness | undefined;
  afterEach(async () => h?.stop());

  it("connects with the app token and runs /mem diagnose without an HTTP endpoint", async () => {
    h = await startHarness({
      cluster: shopCluster(),
      metrics: shopMetrics(),
      clock: { now: () => NOW },
      socketMode: true,
    });
    expect(h.emulator.socketMode.connected).toBe(1);
    const ack = await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    expect(ack.status).toBe(200);
    const ws = h.emulator.workspace;
    const parent = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report in the thread")),
    );
    expect(messageText(parent)).toContain(`${SHOP.killed}/api was OOMKilled`);
    expect(ws.thread(CHANNEL, parent.ts).length).toBeGreaterThan(0);
  });

  it("answers a usage mistake in the acknowledgement, privately", async () => {
    h = await startHarness({
      cluster: shopCluster(),
      metrics: shopMetrics(),
      clock: { now: () => NOW },
      socketMode: true,
    });
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/API" });
    expect(messageText(h.emulator.workspace.ephemeralFor(ALICE)[0]!)).toContain('deployment name "API" is not valid');
    expect(h.emulator.workspace.messages).toHaveLength(0);
  });
});
