import { LogLevel, type Logger as SlackLogger } from "@slack/logger";
import type { Logger } from "pino";

/** Bolt and the Web API client log through our pino logger (and so through its redaction). */
export function boltLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const child = log.child({ component: "bolt" });
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
  return {
    debug: (...m: unknown[]) => child.debug(text(m)),
    info: (...m: unknown[]) => child.info(text(m)),
    warn: (...m: unknown[]) => child.warn(text(m)),
    error: (...m: unknown[]) => child.error(text(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
