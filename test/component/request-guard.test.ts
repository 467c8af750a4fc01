import { afterEach, describe, expect, it } from "vitest";
import { slackSignature } from "../../src/slack/emulator/signature.ts";
import { ALICE, CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { BOB, policy } from "../support/remediation-fixtures.ts";
import { NOW, shopCluster, shopMetrics } from "../support/shop-scenario.ts";

/** Signed requests as an attacker sends them: timestamps from the future, captured requests sent again. */
describe("signed requests Bolt would accept but memops refuses", () => {
  let h: Harness;
  afterEach(async () => h.stop());

  const start = async () => {
    h = await startHarness({
      cluster: shopCluster(),
      metrics: shopMetrics(),
      clock: { now: () => NOW },
      policy,
      usergroups: { S0SRE: [BOB] },
    });
  };
  const now = () => Math.floor(Date.now() / 1000);
  const commands = async () => (await h.store.auditEntries()).filter((e) => e.kind === "command");

  it.each([
    ["now + 301 s", () => now() + 301],
    ["now + 1 year", () => now() + 365 * 86_400],
    ["Infinity", () => Infinity],
  ])(
    "refuses a correctly signed request whose timestamp is %s: 401, nothing runs, nothing is audited",
    async (_, ts) => {
      await start();
      const res = await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "runbooks", timestamp: ts() });
      expect(res.status).toBe(401);
      expect(h.emulator.workspace.ephemeralFor(ALICE)).toEqual([]);
      expect(await commands()).toEqual([]);
    },
  );

  it("accepts a timestamp a little ahead (clock skew within Slack's 5 minutes)", async () => {
    await start();
    const res = await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "runbooks", timestamp: now() + 200 });
    expect(res.status).toBe(200);
    expect(await commands()).toHaveLength(1);
  });

  it("runs the same signed /mem runbooks once, however often it is sent", async () => {
    await start();
    const first = await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "runbooks" });
    expect(first.body).toContain("oomkilled");
    const captured = h.slack.last!;
    const replays = await Promise.all([1, 2, 3].map(() => h.slack.resend(captured)));
    for (const r of replays) expect(r.body).toBe("");
    expect(await commands()).toHaveLength(1);
    expect(h.emulator.workspace.ephemeralFor(ALICE)).toHaveLength(1);
  });

  it("a replayed /mem restart opens no second request in the victim's name", async () => {
    await start();
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/api -n shop" });
    const ws = h.emulator.workspace;
    const cards = () => ws.messages.filter((m) => messageText(m).includes("Approval needed: Rolling restart"));
    await ws.waitFor(() => cards()[0]);
    await h.app.idle();
    await h.slack.resend(h.slack.last!);
    await h.app.idle();
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.store.auditEntries()).filter((e) => e.kind === "request")).toHaveLength(1);
    expect(cards()).toHaveLength(1);
  });

  it("a different request with a valid signature still runs (the guard is per signature, not per person)", async () => {
    await start();
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "runbooks" });
    const ts = now();
    const body = h.slack.last!.body.replace("runbooks", "help");
    const res = await h.slack.resend({
      ...h.slack.last!,
      body,
      timestamp: String(ts),
      signature: slackSignature(SIGNING_SECRET, ts, body),
    });
    expect(res.status).toBe(200);
    expect(await commands()).toHaveLength(2);
  });
});
