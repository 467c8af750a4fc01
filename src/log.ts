import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { redactSecrets, SECRET_KEY } from "./core/redact.ts";

const MAX_DEPTH = 8;

/**
 * Every value memops logs, made safe: a key that names a secret (any case, any depth: `Authorization`,
 * `headers.authorization`, `botToken`) is censored whatever it holds, and free text (a selector typed as
 * `-l token=xoxb-…`, an error message quoting a URL with a password) goes through redactSecrets.
 */
function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (value instanceof Error) {
    // a copy of the same class, so pino's error serialiser still names its type
    const copy = Object.assign(
      Object.create(Object.getPrototypeOf(value) as object) as Error,
      redactValue({ ...value }),
    );
    copy.message = redactSecrets(value.message);
    copy.stack = redactSecrets(value.stack ?? "");
    if (value.cause !== undefined) copy.cause = redactValue(value.cause, depth + 1);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[REDACTED]" : redactValue(v, depth + 1);
  return out;
}

/** pino's options for memops: the redaction above on every object and message. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { app: "memops" },
    formatters: { log: (o) => redactValue(o) as Record<string, unknown> },
    // a child's bindings are serialised once, when it is made (pino's bindings formatter reaches only the first level)
    onChild(child) {
      const c = child as unknown as Record<symbol, unknown>;
      const chindings = c[pino.symbols.chindingsSym];
      if (typeof chindings === "string") c[pino.symbols.chindingsSym] = redactSecrets(chindings);
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === "string" ? redactSecrets(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(loggerOptions(level), destination);
}
