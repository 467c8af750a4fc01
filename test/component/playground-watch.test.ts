import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLAYGROUND_CHANNEL, type Playground, startPlayground } from "../../src/playground/playground.ts";
import { shippedRunbooks } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";

describe("the playground's fleet watch", () => {
  let pg: Playground;
  beforeAll(async () => {
    pg = await startPlayground({
      host: "127.0.0.1",
      port: 0,
      runbooks: await shippedRunbooks(),
      log: pino({ level: "silent" }),
      verifyWindowSeconds: 1,
    });
  });
  afterAll(async () => pg?.stop());

  it("warns about the simulated leak before its OOM kill, and not about the plateau or the quiet ones", async () => {
    const pass = await pg.app.watchFleet();
    expect(pass?.scanned).toBe(true);
    const parents = pg.emulator.workspace.channelMessages(PLAYGROUND_CHANNEL).map(messageText).join("\n");
    expect(parents).toMatch(
      /deploy\/checkout \(container \S+\) will reach its 512Mi limit in ~\d+(h|m)[^\n]*: it looks like a leak/,
    );
    expect(parents).toMatch(/deploy\/search \(container \S+\) is being OOM-killed at its 512Mi limit/);
    expect(parents).toMatch(/deploy\/cache \(container \S+\) sits at 9\d% of its 512Mi limit/);
    for (const quiet of ["ledger", "web"]) expect(parents).not.toContain(`deploy/${quiet} (container`);
  });
});
