import { randomBytes } from "node:crypto";
import type { SlackEmulator } from "./server.ts";
import { slackSignature } from "./signature.ts";

export interface AppResponse {
  status: number;
  body: string;
  millis: number;
}

/** A request exactly as it was sent over HTTP: to send again, as an attacker who captured it would. */
export interface SentRequest {
  body: string;
  timestamp: string;
  signature: string;
  channel: string;
  user: string;
}

export interface SlashCommand {
  user: string;
  channel: string;
  text: string;
  command?: string;
  /** override to test stale or forged requests */
  timestamp?: number;
  signature?: string;
}

export interface ButtonClick {
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  value: string;
  blockId?: string;
  threadTs?: string;
  timestamp?: number;
  signature?: string;
}

/** A person submits a modal the app opened: the values by block id and action id. */
export interface ViewSubmission {
  user: string;
  viewId: string;
  values: Record<string, Record<string, string>>;
}

/** The Slack side of interactivity: sends correctly signed slash commands, block_actions and view submissions to the app. */
export class SignedRequests {
  readonly #appUrl: string;
  readonly #secret: string;
  readonly #slack: SlackEmulator;

  readonly #socket: boolean;
  /** the last request sent over HTTP */
  last: SentRequest | null = null;

  /** `appUrl` for the HTTP receiver; `socketMode: true` delivers over the emulator's Socket Mode connection instead. */
  constructor(options: { appUrl?: string; signingSecret?: string; emulator: SlackEmulator; socketMode?: boolean }) {
    this.#appUrl = options.appUrl ?? "";
    this.#secret = options.signingSecret ?? "";
    this.#slack = options.emulator;
    this.#socket = options.socketMode ?? false;
  }

  async #deliver(
    type: "slash_commands" | "interactive",
    payload: Record<string, unknown>,
    body: string,
    t: { timestamp?: number; signature?: string },
    channel: string,
    user: string,
  ): Promise<AppResponse> {
    if (!this.#socket) return this.#send(body, t.timestamp, t.signature, channel, user);
    const started = performance.now();
    const ack = await this.#slack.socketMode.deliver(type, payload);
    const millis = performance.now() - started;
    if (ack && typeof ack === "object" && ("text" in ack || "blocks" in ack))
      this.#slack.api.recordEphemeral(channel, user, ack);
    return { status: 200, body: ack ? JSON.stringify(ack) : "", millis };
  }

  async #send(
    body: string,
    timestamp: number | undefined,
    signature: string | undefined,
    channel: string,
    user: string,
  ): Promise<AppResponse> {
    const ts = timestamp ?? Math.floor(Date.now() / 1000);
    return this.resend({
      body,
      timestamp: String(ts),
      signature: signature ?? slackSignature(this.#secret, ts, body),
      channel,
      user,
    });
  }

  /** Sends a request again, byte for byte: the same body, timestamp and signature. */
  async resend(r: SentRequest): Promise<AppResponse> {
    const { body, channel, user } = r;
    this.last = r;
    const started = performance.now();
    const res = await fetch(this.#appUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": r.timestamp,
        "x-slack-signature": r.signature,
      },
      body,
    });
    const text = await res.text();
    const millis = performance.now() - started;
    // Like Slack, show a message in the acknowledgement to the person who sent the request.
    if (res.status === 200 && text.startsWith("{")) {
      const msg = JSON.parse(text) as Record<string, unknown>;
      if (typeof msg["text"] === "string" || Array.isArray(msg["blocks"]))
        this.#slack.api.recordEphemeral(channel, user, msg);
    }
    return { status: res.status, body: text, millis };
  }

  slash(c: SlashCommand): Promise<AppResponse> {
    const ws = this.#slack.workspace;
    const fields = {
      token: "deprecated-verification-token",
      team_id: ws.teamId,
      team_domain: "memops",
      channel_id: c.channel,
      channel_name: ws.channels.get(c.channel)?.name ?? "unknown",
      user_id: c.user,
      user_name: ws.users.get(c.user)?.name ?? c.user,
      command: c.command ?? "/mem",
      text: c.text,
      api_app_id: "A0MEMOPS",
      is_enterprise_install: "false",
      response_url: this.#slack.responseUrl(c.channel, c.user),
      trigger_id: this.#trigger(c.user),
    };
    return this.#deliver("slash_commands", fields, new URLSearchParams(fields).toString(), c, c.channel, c.user);
  }

  click(b: ButtonClick): Promise<AppResponse> {
    const ws = this.#slack.workspace;
    const message = ws.message(b.channel, b.messageTs);
    const payload = {
      type: "block_actions",
      api_app_id: "A0MEMOPS",
      team: { id: ws.teamId, domain: "memops" },
      user: { id: b.user, username: ws.users.get(b.user)?.name ?? b.user, team_id: ws.teamId },
      channel: { id: b.channel, name: ws.channels.get(b.channel)?.name ?? "unknown" },
      container: {
        type: "message",
        message_ts: b.messageTs,
        channel_id: b.channel,
        is_ephemeral: false,
        ...(b.threadTs ? { thread_ts: b.threadTs } : {}),
      },
      message: message
        ? {
            type: "message",
            ts: message.ts,
            text: message.text,
            blocks: message.blocks,
            ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
          }
        : undefined,
      response_url: this.#slack.responseUrl(b.channel, b.user),
      trigger_id: this.#trigger(b.user),
      actions: [
        {
          type: "button",
          action_id: b.actionId,
          block_id: b.blockId ?? "actions",
          value: b.value,
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    };
    return this.#deliver(
      "interactive",
      payload,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      b,
      b.channel,
      b.user,
    );
  }

  /** A trigger id for views.open, good once within 3 s, as Slack hands one out with each interaction. */
  #trigger(user: string): string {
    const id = `${Date.now()}.${randomBytes(6).toString("hex")}`;
    this.#slack.workspace.triggers.set(id, { user, issuedAt: Date.now() });
    return id;
  }

  /** Submits a modal the app opened with views.open, as the person it was opened for. */
  submitView(v: ViewSubmission): Promise<AppResponse> {
    const ws = this.#slack.workspace;
    const opened = ws.views.get(v.viewId);
    if (!opened) throw new Error(`emulator: no view ${v.viewId} was opened`);
    const payload = {
      type: "view_submission",
      api_app_id: "A0MEMOPS",
      team: { id: ws.teamId, domain: "memops" },
      user: { id: v.user, username: ws.users.get(v.user)?.name ?? v.user, team_id: ws.teamId },
      trigger_id: this.#trigger(v.user),
      view: {
        ...opened.view,
        id: opened.id,
        team_id: ws.teamId,
        state: {
          values: Object.fromEntries(
            Object.entries(v.values).map(([block, actions]) => [
              block,
              Object.fromEntries(
                Object.entries(actions).map(([action, value]) => [action, { type: "plain_text_input", value }]),
              ),
            ]),
          ),
        },
      },
    };
    return this.#deliver(
      "interactive",
      payload,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      {},
      "",
      v.user,
    );
  }
}
