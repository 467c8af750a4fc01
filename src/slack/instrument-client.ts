/**
 * Counts every Web API call memops's Slack client makes, by method and outcome — chat.postMessage,
 * users.info, files.completeUploadExternal alike, and Bolt's replies to a command's response_url (as
 * "response_url") — through the client's `fetch` option, which every call goes through (retries
 * included: a 429 counts as "ratelimited", a reply with ok: false as "error"). The calls themselves go
 * over node:http (http-fetch.ts), not Node's undici.
 */
import type { FetchFunction } from "@slack/web-api";
import { httpFetch } from "../http-fetch.ts";
import type { Telemetry } from "../ports.ts";

export function countingFetch(telemetry: Telemetry, apiUrl: string): FetchFunction {
  return async (url, init) => {
    const u = String(url);
    const method = u.startsWith(apiUrl) ? (u.slice(apiUrl.length).split("?")[0] ?? "") : "response_url";
    try {
      const res = await httpFetch(url, init);
      if (res.status === 429) telemetry.slackCall(method, "ratelimited");
      else if (!res.ok) telemetry.slackCall(method, "error");
      else {
        // the answer is read whole (http-fetch.ts): reading it here leaves it for the client
        const body = (await res.json().catch(() => null)) as { ok?: boolean } | null;
        telemetry.slackCall(method, body?.ok === false ? "error" : "ok");
      }
      return res;
    } catch (e) {
      telemetry.slackCall(method, "error");
      throw e;
    }
  };
}
