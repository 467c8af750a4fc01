import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateBlocks } from "../../../src/slack/emulator/block-kit.ts";
import { SlackEmulator } from "../../../src/slack/emulator/server.ts";

const TOKEN = "xoxb-emulator-test";
let emu: SlackEmulator;
beforeEach(async () => {
  emu = await new SlackEmulator({
    botToken: TOKEN,
    channels: [
      { id: "C1", name: "general" },
      { id: "G1", name: "private", isPrivate: true, members: ["U0ALICE"] },
    ],
  }).start();
});
afterEach(async () => emu.stop());

async function call(method: string, body: Record<string, unknown>, token: string | null = TOKEN) {
  const res = await fetch(`${emu.apiUrl}${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe("Slack Web API emulator", () => {
  it("rejects missing and wrong tokens", async () => {
    expect((await call("auth.test", {}, null)).body).toEqual({ ok: false, error: "not_authed" });
    expect((await call("auth.test", {}, "xoxb-wrong")).body).toEqual({ ok: false, error: "invalid_auth" });
    expect((await call("auth.test", {})).body).toMatchObject({ ok: true, user_id: "U0MEMOPSBOT" });
  });

  it("posts, threads and updates messages", async () => {
    const parent = await call("chat.postMessage", { channel: "C1", text: "parent" });
    const ts = parent.body["ts"] as string;
    await call("chat.postMessage", { channel: "C1", text: "reply", thread_ts: ts });
    await call("chat.update", { channel: "C1", ts, text: "parent, edited" });
    expect(emu.workspace.channelMessages("C1").map((m) => [m.text, m.edited])).toEqual([["parent, edited", true]]);
    expect(emu.workspace.thread("C1", ts).map((m) => m.text)).toEqual(["reply"]);
  });

  it("answers like Slack to what Slack rejects", async () => {
    expect((await call("chat.postMessage", { channel: "C404", text: "x" })).body["error"]).toBe("channel_not_found");
    expect((await call("chat.postMessage", { channel: "G1", text: "x" })).body["error"]).toBe("channel_not_found");
    expect((await call("chat.postMessage", { channel: "C1" })).body["error"]).toBe("no_text");
    expect((await call("chat.postMessage", { channel: "C1", text: "x", thread_ts: "1.000001" })).body["error"]).toBe(
      "thread_not_found",
    );
    expect((await call("chat.update", { channel: "C1", ts: "1.000001", text: "x" })).body["error"]).toBe(
      "message_not_found",
    );
    expect((await call("users.info", { user: "U404" })).body["error"]).toBe("user_not_found");
    expect((await call("conversations.open", {})).body["error"]).toBe("unknown_method");
    const bad = await call("chat.postMessage", {
      channel: "C1",
      text: "x",
      blocks: [{ type: "header", text: { type: "mrkdwn", text: "h" } }],
    });
    expect(bad.body).toMatchObject({
      ok: false,
      error: "invalid_blocks",
      errors: ["[ERROR] must be plain_text [json-pointer:/blocks/0/text/type]"],
    });
  });

  it("rate-limits chat.postMessage per channel with 429 and Retry-After", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await call("chat.postMessage", { channel: "C1", text: `m${i}` })).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await call("chat.postMessage", { channel: "C1", text: "again" });
    expect(limited).toMatchObject({ status: 429, retryAfter: "1", body: { ok: false, error: "ratelimited" } });
  });

  it("uploads a file in three steps and shows it in the thread", async () => {
    const parent = await call("chat.postMessage", { channel: "C1", text: "p" });
    const { upload_url, file_id } = (await call("files.getUploadURLExternal", { filename: "chart.png", length: 4 }))
      .body as { upload_url: string; file_id: string };
    expect(upload_url.startsWith(emu.baseUrl)).toBe(true);
    expect(
      (await call("files.completeUploadExternal", { files: [{ id: file_id }], channel_id: "C1" })).body["error"],
    ).toBe("file_not_found");
    await fetch(upload_url, { method: "POST", body: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) });
    const done = await call("files.completeUploadExternal", {
      files: [{ id: file_id, title: "Memory" }],
      channel_id: "C1",
      thread_ts: parent.body["ts"],
    });
    expect(done.body).toMatchObject({ ok: true, files: [{ id: file_id, title: "Memory" }] });
    expect(emu.workspace.thread("C1", parent.body["ts"] as string)[0]?.files.map((f) => f.title)).toEqual(["Memory"]);
  });

  it("a response_url works five times, then refuses", async () => {
    const url = emu.responseUrl("C1", "U0ALICE");
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (
          await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: `r${i}` }),
          })
        ).status,
      );
    expect(codes).toEqual([200, 200, 200, 200, 200, 404]);
    expect(emu.workspace.ephemeralFor("U0ALICE")).toHaveLength(5);
  });
});

describe("Block Kit limits", () => {
  const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
  it.each([
    ["51 blocks", Array.from({ length: 51 }, () => ({ type: "divider" })), "must be less than 51 items"],
    ["section text over 3000", [section("x".repeat(3001))], "must be less than 3001 characters"],
    [
      "11 fields",
      [{ type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" })) }],
      "must be less than 11 items",
    ],
    [
      "header over 150",
      [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
      "must be less than 151 characters",
    ],
    [
      "11 context elements",
      [{ type: "context", elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "c" })) }],
      "must be less than 11 items",
    ],
    [
      "button text over 75",
      [
        {
          type: "actions",
          elements: [{ type: "button", text: { type: "plain_text", text: "b".repeat(76) }, action_id: "a" }],
        },
      ],
      "must be less than 76 characters",
    ],
    [
      "duplicate action_id",
      [
        {
          type: "actions",
          elements: [
            { type: "button", text: { type: "plain_text", text: "a" }, action_id: "x" },
            { type: "button", text: { type: "plain_text", text: "b" }, action_id: "x" },
          ],
        },
      ],
      "must be unique within the block",
    ],
    [
      "bad button style",
      [{ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "a" }, style: "blue" }] }],
      "must be primary or danger",
    ],
    [
      "confirm without deny",
      [
        {
          type: "actions",
          elements: [
            {
              type: "button",
              text: { type: "plain_text", text: "a" },
              confirm: {
                title: { type: "plain_text", text: "t" },
                text: { type: "plain_text", text: "x" },
                confirm: { type: "plain_text", text: "y" },
              },
            },
          ],
        },
      ],
      "/confirm/deny",
    ],
    ["image without alt_text", [{ type: "image", image_url: "https://x/y.png" }], "/alt_text"],
    [
      "image with two sources",
      [{ type: "image", alt_text: "a", image_url: "https://x/y.png", slack_file: { id: "F1" } }],
      "exactly one of image_url or slack_file",
    ],
    [
      "emoji on mrkdwn",
      [{ type: "section", text: { type: "mrkdwn", text: "x", emoji: true } }],
      "emoji is only allowed on plain_text",
    ],
    [
      "duplicate block_id",
      [
        { type: "divider", block_id: "a" },
        { type: "divider", block_id: "a" },
      ],
      "must be unique within the message",
    ],
    ["unknown block", [{ type: "carousel" }], "unsupported block type"],
  ])("rejects %s", (_name, blocks, message) => {
    const r = validateBlocks(blocks);
    expect(r?.error).toBe("invalid_blocks");
    expect(r?.messages.join("\n")).toContain(message);
  });

  it("rejects a message whose blocks are too long in total", () => {
    expect(validateBlocks(Array.from({ length: 5 }, () => section("x".repeat(2900))))?.error).toBe(
      "msg_blocks_too_long",
    );
  });
});

describe("views.open, as Slack checks it", () => {
  const modal = {
    type: "modal",
    callback_id: "cb",
    title: { type: "plain_text", text: "Not a problem" },
    submit: { type: "plain_text", text: "Save" },
    blocks: [
      {
        type: "input",
        block_id: "why",
        label: { type: "plain_text", text: "Why?" },
        element: { type: "plain_text_input", action_id: "why-text" },
      },
    ],
  };
  const trigger = (issuedAt = Date.now()) => {
    const id = `t-${Math.random()}`;
    emu.workspace.triggers.set(id, { user: "U0ALICE", issuedAt });
    return id;
  };

  it("opens a modal once per trigger id, for the person who clicked", async () => {
    const t = trigger();
    const opened = await call("views.open", { trigger_id: t, view: modal });
    expect(opened.body).toMatchObject({ ok: true, view: { callback_id: "cb" } });
    const id = (opened.body["view"] as { id: string }).id;
    expect(emu.workspace.views.get(id)).toMatchObject({ user: "U0ALICE" });
    expect((await call("views.open", { trigger_id: t, view: modal })).body).toEqual({
      ok: false,
      error: "invalid_trigger_id",
    });
  });

  it("refuses a trigger id older than 3 s, one it never handed out, and a modal that breaks the limits", async () => {
    expect((await call("views.open", { trigger_id: trigger(Date.now() - 3500), view: modal })).body).toEqual({
      ok: false,
      error: "expired_trigger_id",
    });
    expect((await call("views.open", { trigger_id: "made-up", view: modal })).body).toEqual({
      ok: false,
      error: "invalid_trigger_id",
    });
    const bad = await call("views.open", {
      trigger_id: trigger(),
      view: { ...modal, title: { type: "plain_text", text: "A title longer than twenty-four" }, submit: undefined },
    });
    expect(bad.body).toMatchObject({ ok: false, error: "invalid_arguments" });
    expect((bad.body["response_metadata"] as { messages: string[] }).messages).toEqual([
      "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]",
      "[ERROR] is required when the view has input blocks [json-pointer:/view/submit]",
    ]);
  });
});
