import type { WebClient } from "@slack/web-api";
import { type Chat, type ChatMessage, PortError } from "../ports.ts";

const NOT_POSTABLE = new Set(["channel_not_found", "not_in_channel", "is_archived", "restricted_action"]);

function slackError(e: unknown, method: string): PortError {
  const data = (e as { data?: { error?: string } } | null)?.data;
  const code = data?.error;
  if (code && NOT_POSTABLE.has(code)) return new PortError("slack", "forbidden", `memops cannot post in this channel (${code}): invite it with /invite @memops`);
  if (code) return new PortError("slack", "invalid", `Slack rejected ${method}: ${code}`);
  return new PortError("slack", "unavailable", `cannot reach Slack for ${method}`);
}

/** The Chat port on Slack's Web API. */
export class SlackChat implements Chat {
  readonly #client: WebClient;

  constructor(client: WebClient) {
    this.#client = client;
  }

  async post(channel: string, m: ChatMessage, threadTs?: string): Promise<string> {
    try {
      const r = await this.#client.chat.postMessage({
        channel, text: m.text, ...(m.blocks.length ? { blocks: m.blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false, unfurl_media: false,
      });
      if (!r.ts) throw new PortError("slack", "invalid", "Slack returned no ts for chat.postMessage");
      return r.ts;
    } catch (e) {
      throw e instanceof PortError ? e : slackError(e, "chat.postMessage");
    }
  }

  async update(channel: string, ts: string, m: ChatMessage): Promise<void> {
    try {
      await this.#client.chat.update({ channel, ts, text: m.text, blocks: m.blocks });
    } catch (e) {
      throw slackError(e, "chat.update");
    }
  }
}
