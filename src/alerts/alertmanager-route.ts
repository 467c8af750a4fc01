import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { parseAlertmanager, type AlertmanagerPayload } from "./alertmanager-payload.ts";

const MAX_BODY = 1024 * 1024;

function authorised(header: string | undefined, token: string): boolean {
  // the scheme is case-insensitive (RFC 7235 §2.1): "Bearer", "bearer", "BEARER"
  const m = /^bearer +(\S+) *$/i.exec(header ?? "");
  const given = Buffer.from(m?.[1] ?? "");
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

const reply = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/**
 * POST /alertmanager: a bad or missing bearer token gets 401 and nothing else happens; a malformed
 * body 400 with the problem; a good one 200 at once, then `handle` runs in the background.
 */
export function alertmanagerRoute(token: string, handle: (p: AlertmanagerPayload) => void, log: Logger) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!authorised(req.headers.authorization, token)) {
      log.warn({ remote: req.socket.remoteAddress }, "alertmanager webhook: bad bearer token");
      req.resume();
      return reply(res, 401, { error: "unauthorized" });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return reply(res, 413, { error: "body too large" });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reply(res, 400, { error: "body is not JSON" });
      }
      const parsed = parseAlertmanager(body);
      if (!parsed.ok) return reply(res, 400, { error: parsed.error });
      reply(res, 200, { status: "accepted", alerts: parsed.value.alerts.length });
      handle(parsed.value);
    });
  };
}
