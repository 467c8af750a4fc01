import type { WebClient } from "@slack/web-api";
import { httpFetch } from "../http-fetch.ts";
import { type Chat, type ChatFile, type ChatMessage, PortError } from "../ports.ts";

const NOT_POSTABLE = new Set(["channel_not_found", "not_in_channel", "is_archived", "restricted_action"]);

function slackError(e: unknown, method: string): PortError {
  const data = (e as { data?: { error?: string } } | null)?.data;
  const code = data?.error;
  if (code && NOT_POSTABLE.has(code))
    return new PortError(
      "slack",
      "forbidden",
      `memops cannot post in this channel (${code}): invite it with /invite @memops`,
    );
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
        channel,
        text: m.text,
        ...(m.blocks.length ? { blocks: m.blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!r.ts) throw new PortError("slack", "invalid", "Slack returned no ts for chat.postMessage");
      return r.ts;
    } catch (e) {
      throw e instanceof PortError ? e : slackError(e, "chat.postMessage");
    }
  }

  async whisper(channel: string, user: string, m: ChatMessage, threadTs?: string): Promise<void> {
    try {
      await this.#client.chat.postEphemeral({
        channel,
        user,
        text: m.text,
        ...(m.blocks.length ? { blocks: m.blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    } catch (e) {
      throw slackError(e, "chat.postEphemeral");
    }
  }

  async update(channel: string, ts: string, m: ChatMessage): Promise<void> {
    try {
      await this.#client.chat.update({ channel, ts, text: m.text, blocks: m.blocks });
    } catch (e) {
      throw slackError(e, "chat.update");
    }
  }

  /**
   * files v2 in its three documented steps rather than `filesUploadV2`, which sends the alt text as
   * `alt_text` where files.getUploadURLExternal documents `alt_txt`.
   */
  async upload(channel: string, threadTs: string, image: ChatFile): Promise<void> {
    let method = "files.getUploadURLExternal";
    try {
      const target = (await this.#client.apiCall(method, {
        filename: image.filename,
        length: image.bytes.byteLength,
        alt_txt: image.altText,
      })) as { upload_url?: string; file_id?: string };
      if (!target.upload_url || !target.file_id)
        throw new PortError("slack", "invalid", `Slack returned no upload URL for ${method}`);
      method = "the file upload";
      const sent = await httpFetch(target.upload_url, {
        method: "POST",
        body: image.bytes,
        headers: { "content-type": "application/octet-stream" },
        signal: AbortSignal.timeout(30_000),
      });
      if (!sent.ok) throw new PortError("slack", "unavailable", `Slack refused the file upload (HTTP ${sent.status})`);
      method = "files.completeUploadExternal";
      await this.#client.files.completeUploadExternal({
        files: [{ id: target.file_id, title: image.title }],
        channel_id: channel,
        thread_ts: threadTs,
      });
    } catch (e) {
      throw e instanceof PortError ? e : slackError(e, method);
    }
  }
}
