import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SlackEmulator } from "../slack/emulator/server.ts";
import type { SignedRequests } from "../slack/emulator/signed-requests.ts";
import type { EmuMessage } from "../slack/emulator/workspace.ts";

/**
 * The playground's web page and its small JSON API: what the emulated workspace holds (messages,
 * threads, files, the caller's ephemeral messages), a stream of changes (server-sent events), and
 * slash commands and button clicks, which it sends to memops as Slack would: signed.
 */
const UI = new URL("./ui/", import.meta.url);
const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
  "/favicon.svg": { file: "favicon.svg", type: "image/svg+xml" },
};
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
const MAX_BODY = 64 * 1024;

export interface WebUiOptions {
  emulator: SlackEmulator;
  slack: SignedRequests;
  channel: string;
  /** who may be chosen in the page: the requester first */
  users: { id: string; name: string; role: string }[];
  /** user group ids → handles, for mentions */
  groups: Record<string, string>;
  /** the simulated workloads, for the side panel (empty against a real cluster) */
  scenarios: { name: string; story: string; expect: string }[];
  namespace: string;
  host: string;
  port: number;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...SECURITY_HEADERS,
  });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = "";
  for await (const chunk of req) {
    raw += (chunk as Buffer).toString("utf8");
    if (raw.length > MAX_BODY) throw new Error("request body too large");
  }
  const v = JSON.parse(raw || "{}") as unknown;
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("expected a JSON object");
  return v as Record<string, unknown>;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** what the page may post */
const ACTIONS = new Set(["/api/command", "/api/click", "/api/submit-view", "/api/close-view"]);

export class WebUi {
  readonly #o: WebUiOptions;
  readonly #server: Server;
  readonly #assets = new Map<string, Buffer>();
  readonly #streams = new Set<ServerResponse>();

  constructor(o: WebUiOptions) {
    this.#o = o;
    for (const [path, a] of Object.entries(ASSETS)) this.#assets.set(path, readFileSync(new URL(a.file, UI)));
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) =>
        json(res, 500, { error: e instanceof Error ? e.message : String(e) }),
      );
    });
    o.emulator.workspace.on("change", (kind: string) => {
      for (const s of this.#streams) s.write(`event: change\ndata: ${JSON.stringify({ kind })}\n\n`);
    });
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    return `http://${this.#o.host}:${a.port}/`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#o.port, this.#o.host, () => resolve());
    });
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.#streams) s.end();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    // Only pages served from this address may drive it (no DNS rebinding from a website).
    const host = req.headers.host ?? "";
    if (!/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host))
      return json(res, 403, { error: "the playground answers on localhost only" });
    const url = new URL(req.url ?? "/", "http://localhost");
    const asset = ASSETS[url.pathname];
    if (req.method === "GET" && asset) {
      res.writeHead(200, { "content-type": asset.type, "cache-control": "no-store", ...SECURITY_HEADERS });
      return res.end(this.#assets.get(url.pathname));
    }
    if (req.method === "GET" && url.pathname === "/api/state")
      return json(res, 200, this.#state(url.searchParams.get("user") ?? ""));
    if (req.method === "GET" && url.pathname === "/api/events") return this.#stream(req, res);
    if (req.method === "GET" && url.pathname.startsWith("/files/")) {
      const f = this.#o.emulator.workspace.files.get(url.pathname.slice("/files/".length));
      if (!f?.bytes) return json(res, 404, { error: "no such file" });
      res.writeHead(200, { "content-type": f.mimetype, "cache-control": "private, max-age=3600", ...SECURITY_HEADERS });
      return res.end(f.bytes);
    }
    if (req.method === "POST" && ACTIONS.has(url.pathname)) {
      // Browsers send Origin on every POST: only this page's own may act (not another site's, even one
      // that gets past the CORS preflight, and not a request with none)
      if (req.headers.origin !== `http://${host}`)
        return json(res, 403, { error: "posts are accepted from the playground's own page only" });
      // A form on another site cannot send JSON with this content type without a CORS preflight.
      if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
        return json(res, 415, { error: "send application/json" });
      const body = await readJson(req).catch((e: unknown) => e as Error);
      if (body instanceof Error) return json(res, 400, { error: body.message });
      const user = str(body["user"]);
      if (!this.#o.users.some((u) => u.id === user)) return json(res, 400, { error: `unknown user "${user}"` });
      if (url.pathname === "/api/command") return this.#command(res, user, str(body["text"]));
      if (url.pathname === "/api/click") return this.#click(res, user, body);
      return this.#view(res, url.pathname, user, body);
    }
    return json(res, 404, { error: "not found" });
  }

  async #command(res: ServerResponse, user: string, text: string) {
    const m = /^\/(\w+)\s*([\s\S]*)$/.exec(text.trim());
    if (!m) return json(res, 400, { error: "type a slash command, such as /mem help" });
    if (m[1] !== "mem")
      return json(res, 400, { error: `/${m[1] ?? ""} is not a command in this workspace; memops answers /mem` });
    const r = await this.#o.slack.slash({ user, channel: this.#o.channel, text: (m[2] ?? "").trim() });
    return json(res, r.status === 200 ? 200 : 502, { status: r.status, millis: Math.round(r.millis) });
  }

  async #click(res: ServerResponse, user: string, body: Record<string, unknown>) {
    const messageTs = str(body["messageTs"]);
    const message = this.#o.emulator.workspace.message(this.#o.channel, messageTs);
    if (!message) return json(res, 404, { error: "that message is gone" });
    const r = await this.#o.slack.click({
      user,
      channel: this.#o.channel,
      messageTs,
      actionId: str(body["actionId"]),
      value: str(body["value"]),
      blockId: str(body["blockId"]) || "actions",
      ...(message.threadTs ? { threadTs: message.threadTs } : {}),
    });
    return json(res, r.status === 200 ? 200 : 502, { status: r.status, millis: Math.round(r.millis) });
  }

  /** A modal submitted (memops answers with errors to show, or closes it) or closed by the person. */
  async #view(res: ServerResponse, path: string, user: string, body: Record<string, unknown>) {
    const ws = this.#o.emulator.workspace;
    const viewId = str(body["viewId"]);
    const opened = ws.views.get(viewId);
    if (!opened || opened.user !== user) return json(res, 404, { error: "that form is gone" });
    if (path === "/api/close-view") {
      ws.views.delete(viewId);
      ws.changed("view", opened);
      return json(res, 200, {});
    }
    const values = body["values"] && typeof body["values"] === "object" ? body["values"] : {};
    const r = await this.#o.slack.submitView({
      user,
      viewId,
      values: values as Record<string, Record<string, string>>,
    });
    const answer = r.body.startsWith("{") ? (JSON.parse(r.body) as { response_action?: string; errors?: unknown }) : {};
    if (answer.response_action === "errors") return json(res, 200, { errors: answer.errors });
    // as Slack does, an acknowledgement without errors closes the modal
    ws.views.delete(viewId);
    ws.changed("view", opened);
    return json(res, r.status === 200 ? 200 : 502, { status: r.status });
  }

  #stream(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      connection: "keep-alive",
      ...SECURITY_HEADERS,
    });
    res.write("retry: 1000\n\n");
    this.#streams.add(res);
    req.on("close", () => this.#streams.delete(res));
  }

  #state(user: string) {
    const ws = this.#o.emulator.workspace;
    const name = (id: string) => ws.users.get(id)?.name ?? id;
    const view = (m: EmuMessage) => ({
      ts: m.ts,
      threadTs: m.threadTs,
      user: m.user,
      userName: name(m.user),
      bot: m.user === ws.botUserId,
      text: m.text,
      blocks: m.blocks,
      edited: m.edited,
      files: m.files.map((f) => ({
        id: f.id,
        title: f.title,
        altText: f.altText,
        url: `/files/${f.id}`,
        mimetype: f.mimetype,
      })),
    });
    return {
      channel: { id: this.#o.channel, name: ws.channels.get(this.#o.channel)?.name ?? this.#o.channel },
      users: this.#o.users,
      namespace: this.#o.namespace,
      scenarios: this.#o.scenarios,
      names: Object.fromEntries([...ws.users.values()].map((u) => [u.id, u.name])),
      groups: this.#o.groups,
      messages: ws.messages.filter((m) => m.channel === this.#o.channel).map(view),
      views: [...ws.views.values()].filter((v) => v.user === user).map((v) => ({ id: v.id, view: v.view })),
      ephemerals: ws.ephemerals
        .filter((e) => e.channel === this.#o.channel && e.user === user)
        .map((e) => ({ ts: e.ts, threadTs: e.threadTs, text: e.text, blocks: e.blocks })),
    };
  }
}
