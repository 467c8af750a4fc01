import { describe, expect, it } from "vitest";
import { grepLines, MEMORY_LOG_PATTERN } from "../../../src/core/log-match.ts";
import { redactSecrets } from "../../../src/core/redact.ts";

describe("redactSecrets", () => {
  it.each([
    ["password=hunter2 user=bob", "password=[REDACTED] user=bob"],
    ['{"token": "abc123def"}', '{"token": "[REDACTED]"}'],
    ["Authorization: Bearer eyJhbGciOi.xyzxyzxyz", "Authorization: Bearer [REDACTED]"],
    ["postgres://app:s3cret@db:5432/shop", "postgres://app:[REDACTED]@db:5432/shop"],
    ["slack xoxb-1234-5678-abcdef done", "slack [REDACTED] done"],
    ["key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED] used"],
    ["API_KEY: sk-abcdefghijklmnopqrstuv", "API_KEY: [REDACTED]"],
    ["client_secret=xyz&x=1", "client_secret=[REDACTED]&x=1"],
  ])("%s", (line, expected) => expect(redactSecrets(line)).toBe(expected));

  it("leaves ordinary memory lines alone", () => {
    const line = "WARN GC overhead: 48% of time in gc, heap 498MB/512MB";
    expect(redactSecrets(line)).toBe(line);
  });
});

describe("memory log lines", () => {
  it("keeps the last matching lines and counts all matches", () => {
    const text = [
      "INFO started",
      "WARN heap 90%",
      "ERROR java.lang.OutOfMemoryError: Java heap space",
      "INFO request ok",
      "fatal error: runtime: out of memory",
      "Killed process 42 (node)",
    ].join("\n");
    expect(grepLines(text, MEMORY_LOG_PATTERN, 2)).toEqual({
      lines: ["fatal error: runtime: out of memory", "Killed process 42 (node)"],
      matched: 4,
    });
  });
});
