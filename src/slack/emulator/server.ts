import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SocketModeServer } from "./socket-mode.ts";
import { checkMessage, WebApi } from "./web-api.ts";
import { Workspace, type WorkspaceSeed } from "./workspace.ts";

export interface EmulatorOptions extends WorkspaceSeed {
  botToken: string;
  /** an app-level token (xapp-…) that may open Socket Mode connections */
  appToken?: string;
  host?: string;
  /** Slack's rate limits (429 + Retry-After); on unless a benchmark measures memops alone */
  rateLimits?: boolean;
}

interface ResponseUrl {
  channel: string;
  user: string;
  uses: number;
  createdAt: number;
}

const MAX_BODY = 5 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseArgs(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json"))
    return raw.length ? (JSON.parse(raw.toString("utf8")) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw.toString("utf8"))) {
    // @slack/web-api JSON-encodes structured arguments in form bodies.
    args[k] = (k === "blocks" || k === "files" || k === "attachments") && /^[[{]/.test(v) ? JSON.parse(v) : v;
  }
  return args;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A local Slack: the Web API methods memops calls, file uploads and response_urls, with Slack's limits
 * and error shapes. Start it, point SLACK_API_URL at `apiUrl`, and read what was posted from `workspace`.
 */
export class SlackEmulator {
  readonly workspace: Workspace;
  readonly api: WebApi;
  readonly socketMode = new SocketModeServer();
  readonly #server: Server;
  readonly #host: string;
  readonly #responseUrls = new Map<string, ResponseUrl>();
  #port = 0;
  #seq = 0;

  constructor(options: EmulatorOptions) {
    this.workspace = new Workspace(options);
    this.#host = options.host ?? "127.0.0.1";
    this.api = new WebApi(this.workspace, [options.botToken], () => this.baseUrl, options.rateLimits ?? true, {
      appTokens: options.appToken ? [options.appToken] : [],
      socketUrl: () => this.socketMode.ticket(this.baseUrl.replace(/^http/, "ws")),
    });
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((e: unknown) =>
        send(res, 500, { ok: false, error: "internal_error", detail: String(e) }),
      );
    });
    this.#server.on("upgrade", (req, socket, head) => this.socketMode.upgrade(req, socket, head));
  }

  get baseUrl(): string {
    return `http://${this.#host}:${this.#port}/`;
  }

  /** What SLACK_API_URL should be set to. */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, this.#host, () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.socketMode.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** A response_url for an interaction by `user` in `channel`: 5 uses within 30 minutes, like Slack's. */
  responseUrl(channel: string, user: string): string {
    const id = `R${++this.#seq}x${Math.random().toString(36).slice(2, 10)}`;
    this.#responseUrls.set(id, { channel, user, uses: 0, createdAt: Date.now() });
    return `${this.baseUrl}respond/${id}`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.baseUrl);
    const [, area, id] = url.pathname.split("/");
    if (req.method === "GET" && area === "files" && id) {
      const f = this.workspace.files.get(id);
      if (!f?.bytes) return send(res, 404, { ok: false, error: "file_not_found" });
      res.writeHead(200, { "content-type": f.mimetype });
      return res.end(f.bytes);
    }
    if (req.method !== "POST") return send(res, 405, { ok: false, error: "method_not_allowed" });
    const raw = await readBody(req);
    if (area === "api" && id) {
      const args = parseArgs(req, raw);
      const auth = req.headers.authorization;
      const token = auth?.startsWith("Bearer ")
        ? auth.slice(7)
        : typeof args["token"] === "string"
          ? args["token"]
          : undefined;
      const reply = this.api.call(id, token, args);
      return send(res, reply.status, reply.body, reply.headers);
    }
    if (area === "upload" && id) {
      const f = this.workspace.files.get(id);
      if (!f) return send(res, 404, { ok: false, error: "file_not_found" });
      f.bytes = raw;
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(`OK - ${raw.length}`);
    }
    if (area === "respond" && id) return this.#respond(id, parseArgs(req, raw), res);
    return send(res, 404, { ok: false, error: "not_found" });
  }

  #respond(id: string, args: Record<string, unknown>, res: ServerResponse) {
    const r = this.#responseUrls.get(id);
    if (!r) return send(res, 404, { ok: false, error: "invalid_url" });
    if (Date.now() - r.createdAt > 30 * 60_000) return send(res, 404, { ok: false, error: "expired_url" });
    if (r.uses >= 5) return send(res, 404, { ok: false, error: "used_url" });
    const bad = checkMessage(args);
    if (bad) return send(res, 400, bad.body);
    r.uses++;
    if (args["response_type"] === "in_channel") {
      const ts = this.workspace.nextTs();
      const m = {
        channel: r.channel,
        ts,
        user: this.workspace.botUserId,
        text: typeof args["text"] === "string" ? args["text"] : "",
        blocks: Array.isArray(args["blocks"]) ? (args["blocks"] as unknown[]) : [],
        threadTs: null,
        files: [],
        edited: false,
        updates: 0,
      };
      this.workspace.messages.push(m);
      this.workspace.changed("post", m);
    } else {
      this.api.recordEphemeral(r.channel, r.user, args);
    }
    return send(res, 200, { ok: true });
  }
}
