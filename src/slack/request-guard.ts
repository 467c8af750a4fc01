/**
 * What Bolt leaves out of checking a signed Slack request. Bolt verifies the signature and refuses a
 * timestamp more than 5 minutes old; it accepts one from the future (now + 1 year, `Infinity`), and it
 * runs the same signed request as often as it arrives. Here: timestamps more than 5 minutes ahead are
 * refused before Bolt reads the body, and each signature runs once — remembered in the store, so a
 * replay to another replica is refused too.
 */
import type { AnyMiddlewareArgs, HTTPReceiver, Middleware } from "@slack/bolt";
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import type { Store } from "../ports.ts";

/** Slack's (and Bolt's) window for a request's timestamp, either way */
const MAX_SKEW_SECONDS = 300;

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** 401 for a request to the Slack endpoint whose timestamp is ahead of `now` by more than the window. */
export function refuseFutureTimestamps(receiver: HTTPReceiver, now: () => number, log: Logger): void {
  const inner = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const raw = req.url?.startsWith("/slack/events") ? header(req, "x-slack-request-timestamp") : undefined;
    if (raw !== undefined) {
      const ts = Number(raw);
      if (!Number.isFinite(ts) || ts > now() + MAX_SKEW_SECONDS) {
        log.warn({ timestamp: raw.slice(0, 40) }, "refused a Slack request whose timestamp is in the future");
        res.writeHead(401).end();
        return;
      }
    }
    inner(req, res);
  };
}

/** What the receiver passes on from a verified request, for the middleware below. */
export function signedRequestProperties(req: IncomingMessage): Record<string, string> {
  const signature = header(req, "x-slack-signature");
  const timestamp = header(req, "x-slack-request-timestamp");
  return signature && timestamp ? { requestSignature: signature, requestTimestamp: timestamp } : {};
}

/**
 * Runs each signed request once. A replay is acknowledged with nothing (Slack shows nothing) and never
 * reaches a listener: no command runs, no button is pressed twice, no audit entry is written.
 */
export function onceOnly(store: Store, now: () => number, log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const signature: unknown = args.context["requestSignature"];
    const timestamp = Number(args.context["requestTimestamp"]);
    if (typeof signature !== "string") return args.next(); // Socket Mode: the socket is authenticated, nothing is signed
    // remembered for as long as any timestamp check would accept it
    const fresh = await store.markRequestSeen(signature, timestamp + 2 * MAX_SKEW_SECONDS, now());
    if (fresh) return args.next();
    log.warn({ timestamp }, "refused a replayed Slack request (its signature was already used)");
    if ("ack" in args && typeof args.ack === "function") await args.ack();
  };
}
