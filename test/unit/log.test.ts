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
