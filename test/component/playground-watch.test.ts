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

  it("Not a problem from the page: the form memops opens is in the person's state, a reason too short is shown back, a good one is kept", async () => {
    const ws = pg.emulator.workspace;
    const parent = ws
      .channelMessages(PLAYGROUND_CHANNEL)
      .find((m) => messageText(m).includes("deploy/cache (container"))!;
    const button = (
      parent.blocks as { type: string; elements?: { text: { text: string }; action_id: string; value: string }[] }[]
    )
      .flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []))
      .find((b) => b.text.text === "Not a problem")!;
    const origin = new URL(pg.url).origin;
    const post = (path: string, body: unknown) =>
      fetch(new URL(path, pg.url), {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const views = async (user: string) =>
      (
        (await (await fetch(new URL(`/api/state?user=${user}`, pg.url))).json()) as {
          views: { id: string; view: { title: { text: string } } }[];
        }
      ).views;
    await post("/api/click", {
      user: "U0ALICE",
      messageTs: parent.ts,
      actionId: button.action_id,
      value: button.value,
      blockId: "watch",
    });
    const [form] = await views("U0ALICE");
    expect(form?.view.title.text).toBe("Not a problem");
    // only the person it was opened for sees it
    expect(await views("U0BOB")).toEqual([]);
    const short = await post("/api/submit-view", {
      user: "U0ALICE",
      viewId: form!.id,
      values: { why: { "why-text": "ok" } },
    });
    expect(short.body).toEqual({ errors: { why: "Say in a few words why it is not a problem." } });
    await post("/api/submit-view", {
      user: "U0ALICE",
      viewId: form!.id,
      values: { why: { "why-text": "a cache: full by design" } },
    });
    expect(await views("U0ALICE")).toEqual([]);
    await ws.waitFor(() =>
      ws.thread(PLAYGROUND_CHANNEL, parent.ts).find((m) => m.text.includes("a cache: full by design")),
    );
  });
});
