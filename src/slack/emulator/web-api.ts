import { randomBytes } from "node:crypto";
import { validateBlocks, validateView } from "./block-kit.ts";
import { RateLimiter, TIERS } from "./rate-limiter.ts";
import type { EmuFile, Workspace } from "./workspace.ts";
import { type ApiReply, type Args, fail, ok, str } from "./api-reply.ts";
import { directoryReply } from "./directory-methods.ts";

export type { ApiReply } from "./api-reply.ts";

/** Slack's checks on a message body: text or blocks, Block Kit limits, text length. */
export function checkMessage(args: Args): ApiReply | null {
  const text = args["text"];
  const blocks = args["blocks"];
  if (blocks !== undefined) {
    const problem = validateBlocks(blocks);
    if (problem)
      return fail(
        problem.error,
        problem.messages.length ? { errors: problem.messages, response_metadata: { messages: problem.messages } } : {},
      );
  }
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (!str(text) && !hasBlocks) return fail("no_text");
  if (typeof text === "string" && text.length > 40_000) return fail("msg_too_long");
  return null;
}

/** a Map: the method comes from the request's path (`constructor` is no method) */
const TIER_OF = new Map<string, keyof typeof TIERS>([
  ["auth.test", 4],
  ["chat.update", 3],
  ["chat.postEphemeral", 4],
  ["users.info", 4],
  ["usergroups.users.list", 2],
  ["conversations.info", 3],
  ["files.getUploadURLExternal", 4],
  ["files.completeUploadExternal", 4],
  ["views.open", 4],
]);
/** Slack: a trigger_id expires after 3 s and works once. */
const TRIGGER_LIFETIME_MS = 3000;
/** chat.postMessage has its own limit: ~1/s per channel, and "several hundred" a minute per workspace. */
const POST_MESSAGE_PER_MINUTE = 300;

export class WebApi {
  readonly #ws: Workspace;
  readonly #baseUrl: () => string;
  readonly #limits = new RateLimiter();
  readonly tokens: Set<string>;
  /** calls per method, for tests and benchmarks */
  readonly calls = new Map<string, number>();
  readonly #rateLimits: boolean;

  readonly #appTokens: Set<string>;
  readonly #socketUrl: () => string;

  constructor(
    ws: Workspace,
    tokens: string[],
    baseUrl: () => string,
    rateLimits = true,
    socket: { appTokens: string[]; socketUrl: () => string } = { appTokens: [], socketUrl: () => "" },
  ) {
    this.#ws = ws;
    this.tokens = new Set(tokens);
    this.#baseUrl = baseUrl;
    this.#rateLimits = rateLimits;
    this.#appTokens = new Set(socket.appTokens);
    this.#socketUrl = socket.socketUrl;
  }

  call(method: string, token: string | undefined, args: Args): ApiReply {
    if (!token) return fail("not_authed");
    // Socket Mode connections are opened with the app-level token, and only that method accepts it.
    if (method === "apps.connections.open")
      return this.#appTokens.has(token)
        ? ok({ url: this.#socketUrl() })
        : fail(token.startsWith("xapp-") ? "invalid_auth" : "not_allowed_token_type");
    if (!this.tokens.has(token)) return fail(this.#appTokens.has(token) ? "not_allowed_token_type" : "invalid_auth");
    if (!TIER_OF.has(method) && method !== "chat.postMessage") return fail("unknown_method");
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const limited = this.#throttle(method, args);
    if (limited) return limited;
    switch (method) {
      case "chat.postMessage":
        return this.#post(args);
      case "chat.update":
        return this.#update(args);
      case "chat.postEphemeral":
        return this.#ephemeral(args);
      case "files.getUploadURLExternal":
        return this.#uploadUrl(args);
      case "files.completeUploadExternal":
        return this.#completeUpload(args);
      case "views.open":
        return this.#openView(args);
      default:
        return directoryReply(this.#ws, method, args) ?? fail("unknown_method");
    }
  }

  /** Slack's rate limits: the method's tier, and chat.postMessage's ~1 message per second per channel. */
  #throttle(method: string, args: Args): ApiReply | null {
    if (!this.#rateLimits) return null;
    const perMinute = method === "chat.postMessage" ? POST_MESSAGE_PER_MINUTE : TIERS[TIER_OF.get(method) ?? 1];
    let wait = this.#limits.take(`${method}`, perMinute, perMinute / 60);
    if (!wait && method === "chat.postMessage") wait = this.#limits.take(`post:${String(args["channel"])}`, 5, 1);
    return wait
      ? { status: 429, body: { ok: false, error: "ratelimited" }, headers: { "Retry-After": String(wait) } }
      : null;
  }

  #openView(args: Args): ApiReply {
    const id = str(args["trigger_id"]);
    const trigger = id ? this.#ws.triggers.get(id) : undefined;
    if (!id || !trigger) return fail("invalid_trigger_id");
    this.#ws.triggers.delete(id);
    if (Date.now() - trigger.issuedAt > TRIGGER_LIFETIME_MS) return fail("expired_trigger_id");
    let view: unknown = args["view"];
    if (typeof view === "string")
      try {
        view = JSON.parse(view);
      } catch {
        return fail("invalid_arguments");
      }
    const problems = validateView(view);
    if (problems.length) return fail("invalid_arguments", { response_metadata: { messages: problems } });
    const v = {
      id: `V${randomBytes(5).toString("hex").toUpperCase()}`,
      user: trigger.user,
      view: view as Args,
      openedAt: Date.now(),
    };
    this.#ws.views.set(v.id, v);
    this.#ws.changed("view", v);
    return ok({ view: { id: v.id, team_id: this.#ws.teamId, ...v.view, state: { values: {} } } });
  }

  #channelFor(id: string | undefined): { error: string } | { id: string } {
    const c = this.#ws.channels.get(id ?? "");
    if (!c || (c.isPrivate && !c.members.has(this.#ws.botUserId))) return { error: "channel_not_found" };
    return { id: c.id };
  }

  #post(args: Args): ApiReply {
    const ch = this.#channelFor(str(args["channel"]));
    if ("error" in ch) return fail(ch.error);
    const bad = checkMessage(args);
    if (bad) return bad;
    const threadTs = str(args["thread_ts"]) ?? null;
    if (threadTs && !this.#ws.message(ch.id, threadTs)) return fail("thread_not_found");
    const m = {
      channel: ch.id,
      ts: this.#ws.nextTs(),
      user: this.#ws.botUserId,
      text: str(args["text"]) ?? "",
      blocks: Array.isArray(args["blocks"]) ? (args["blocks"] as unknown[]) : [],
      threadTs,
      files: [],
      edited: false,
      updates: 0,
    };
    this.#ws.messages.push(m);
    this.#ws.changed("post", m);
    return ok({
      channel: ch.id,
      ts: m.ts,
      message: {
        type: "message",
        text: m.text,
        ts: m.ts,
        user: m.user,
        blocks: m.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      },
      ...(!str(args["text"]) ? { warning: "missing_text_or_fallback_or_attachments" } : {}),
    });
  }

  #update(args: Args): ApiReply {
    const ch = this.#channelFor(str(args["channel"]));
    if ("error" in ch) return fail(ch.error);
    const m = this.#ws.message(ch.id, str(args["ts"]) ?? "");
    if (!m) return fail("message_not_found");
    if (m.user !== this.#ws.botUserId) return fail("cant_update_message");
    const bad = checkMessage({ text: args["text"] ?? m.text, blocks: args["blocks"] });
    if (bad) return bad;
    if (typeof args["text"] === "string") m.text = args["text"];
    if (Array.isArray(args["blocks"])) m.blocks = args["blocks"];
    m.edited = true;
    m.updates++;
    this.#ws.changed("update", m);
    return ok({ channel: ch.id, ts: m.ts, text: m.text });
  }

  #ephemeral(args: Args): ApiReply {
    const ch = this.#channelFor(str(args["channel"]));
    if ("error" in ch) return fail(ch.error);
    const user = str(args["user"]);
    if (!user || !this.#ws.users.has(user)) return fail("user_not_found");
    if (!this.#ws.channels.get(ch.id)?.members.has(user)) return fail("user_not_in_channel");
    const bad = checkMessage(args);
    if (bad) return bad;
    return ok({ message_ts: this.recordEphemeral(ch.id, user, args).ts });
  }

  recordEphemeral(channel: string, user: string, args: Args) {
    const e = {
      channel,
      user,
      text: str(args["text"]) ?? "",
      blocks: Array.isArray(args["blocks"]) ? (args["blocks"] as unknown[]) : [],
      threadTs: str(args["thread_ts"]) ?? null,
      ts: this.#ws.nextTs(),
    };
    this.#ws.ephemerals.push(e);
    this.#ws.changed("ephemeral", e);
    return e;
  }

  #uploadUrl(args: Args): ApiReply {
    const filename = str(args["filename"]);
    const length = Number(args["length"]);
    if (!filename || !Number.isInteger(length) || length <= 0) return fail("invalid_arguments");
    if (this.#ws.fileUploadsDisabled) return fail("file_uploads_disabled");
    // Slack documents alt_txt (≤ 1,000 characters); the SDK's filesUploadV2 sends alt_text instead
    const altText = str(args["alt_txt"]) ?? null;
    if (altText && altText.length > 1000) return fail("alt_txt_too_large");
    const id = `F${randomBytes(5).toString("hex").toUpperCase()}`;
    this.#ws.files.set(id, {
      id,
      name: filename,
      title: filename,
      altText,
      bytes: null,
      channel: null,
      mimetype: filename.endsWith(".png") ? "image/png" : "application/octet-stream",
    });
    return ok({ upload_url: `${this.#baseUrl()}upload/${id}`, file_id: id });
  }

  #completeUpload(args: Args): ApiReply {
    const raw = args["files"];
    const list = (typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw) as
      { id?: string; title?: string }[] | undefined;
    if (!Array.isArray(list) || list.length === 0) return fail("invalid_arguments");
    const files: EmuFile[] = [];
    for (const f of list) {
      const file = this.#ws.files.get(f.id ?? "");
      if (!file || file.bytes === null) return fail("file_not_found");
      if (f.title) file.title = f.title;
      files.push(file);
    }
    const channelId = str(args["channel_id"]);
    if (channelId) {
      const ch = this.#channelFor(channelId);
      if ("error" in ch) return fail(ch.error);
      const threadTs = str(args["thread_ts"]) ?? null;
      if (threadTs && !this.#ws.message(ch.id, threadTs)) return fail("thread_not_found");
      for (const f of files) f.channel = ch.id;
      const m = {
        channel: ch.id,
        ts: this.#ws.nextTs(),
        user: this.#ws.botUserId,
        text: str(args["initial_comment"]) ?? "",
        blocks: [],
        threadTs,
        files,
        edited: false,
        updates: 0,
      };
      this.#ws.messages.push(m);
      this.#ws.changed("post", m);
    }
    return ok({
      files: files.map((f) => ({
        id: f.id,
        name: f.name,
        title: f.title,
        mimetype: f.mimetype,
        url_private: `${this.#baseUrl()}files/${f.id}`,
      })),
    });
  }
}
