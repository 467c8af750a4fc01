import { pino, type DestinationStream, type Logger } from "pino";

/** Paths whose values never reach a log line, whatever object they are logged in. */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "appToken",
  "*.appToken",
  "signingSecret",
  "*.signingSecret",
  "password",
  "*.password",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "headers.cookie",
  "*.headers.cookie",
  'headers["x-slack-signature"]',
  '*.headers["x-slack-signature"]',
  "databaseUrl",
  "*.databaseUrl",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { app: "memops" }, redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } }, destination);
}
