import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";

describe("logging", () => {
  it("redacts tokens, secrets and authorization headers wherever they are logged", () => {
    const lines: string[] = [];
    const log = createLogger(
      "info",
      new Writable({
        write(c: Buffer, _e, cb) {
          lines.push(c.toString());
          cb();
        },
      }),
    );
    log.child({ user: "U1" }).info(
      {
        token: "xoxb-secret-1",
        config: { signingSecret: "sig-2", botToken: "xoxb-3" },
        req: { headers: { authorization: "Bearer tok-4" } },
      },
      "hello",
    );
    const out = lines.join("");
    for (const secret of ["xoxb-secret-1", "sig-2", "xoxb-3", "tok-4"]) expect(out).not.toContain(secret);
    expect(JSON.parse(out)).toMatchObject({ user: "U1", msg: "hello", token: "[REDACTED]" });
  });
});

describe("logging free text and nested keys", () => {
  const capture = () => {
    const lines: string[] = [];
    const log = createLogger(
      "debug",
      new Writable({
        write(c: Buffer, _e, cb) {
          lines.push(c.toString());
          cb();
        },
      }),
    );
    return { log, out: () => lines.join("") };
  };

  it("redacts secrets in free text: a selector typed with a token, a message, a child binding, an error", () => {
    const { log, out } = capture();
    log
      .child({ target: "-l token=xoxb-1111-2222-abcdef -n shop" })
      .info(
        { text: "diagnose -l app=api,password=hunter2", url: "postgres://app:pgpass1@db:5432/x" },
        "command /mem diagnose -l token=xoxp-3333-4444-fedcba",
      );
    log.error({ err: new Error("connect postgres://app:pgpass2@db failed") }, "store unreachable");
    for (const secret of ["xoxb-1111-2222-abcdef", "hunter2", "pgpass1", "xoxp-3333-4444-fedcba", "pgpass2"])
      expect(out()).not.toContain(secret);
    const err = JSON.parse(out().trim().split("\n")[1]!) as { err: { message: string; stack: string } };
    expect(err.err.message).toBe("connect postgres://app:[REDACTED]@db failed");
    expect(err.err.stack).toContain("Error: connect postgres://app:[REDACTED]@db failed");
  });

  it("censors secret-named keys at any depth and in any case", () => {
    const { log, out } = capture();
    log.info(
      {
        request: { Headers: { Authorization: "Basic dXNlcjpwYXNz", Cookie: "session=abc123" } },
        deep: { a: { b: { c: { AUTHORIZATION: "Bearer deep-0123456789", DB_PASSWORD: "x1y2z3" } } } },
      },
      "request",
    );
    for (const secret of ["dXNlcjpwYXNz", "abc123", "deep-0123456789", "x1y2z3"]) expect(out()).not.toContain(secret);
    expect(JSON.parse(out())).toMatchObject({ request: { Headers: { Authorization: "[REDACTED]" } } });
  });
});
