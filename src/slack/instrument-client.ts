/**
 * Counts every Web API call memops's Slack client makes, by method and outcome — chat.postMessage,
 * users.info, file uploads alike — through the client's `fetch` option, which every call goes through
 * (retries included: a 429 counts as "ratelimited", a reply with ok: false as "error").
 */
import type { FetchFunction } from "@slack/web-api";
import type { Telemetry } from "../ports.ts";

export function countingFetch(
  telemetry: Telemetry,
  apiUrl: string,
  inner: (url: string | URL, init?: RequestInit) => Promise<Response> = globalThis.fetch,
): FetchFunction {
  return async (url, init) => {
    const u = String(url);
    const method = u.startsWith(apiUrl) ? (u.slice(apiUrl.length).split("?")[0] ?? "") : "files.upload";
    try {
      const res = await inner(url, init);
      if (res.status === 429) telemetry.slackCall(method, "ratelimited");
      else if (!res.ok) telemetry.slackCall(method, "error");
      else {
        const body = (await res
          .clone()
          .json()
          .catch(() => null)) as { ok?: boolean } | null;
        telemetry.slackCall(method, body?.ok === false ? "error" : "ok");
      }
      return res;
    } catch (e) {
      telemetry.slackCall(method, "error");
      throw e;
    }
  };
}
