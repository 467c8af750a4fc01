import { request } from "node:http";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Playground, startPlayground } from "../../src/playground/playground.ts";
import { shippedRunbooks } from "../support/app-harness.ts";

/** The playground's own HTTP surface: what the page is allowed to do, and what it is refused. */
describe("the playground's web server", () => {
  let pg: Playground;
  beforeAll(async () => {
    pg = await startPlayground({
      host: "127.0.0.1",
      port: 0,
      runbooks: await shippedRunbooks(),
      log: pino({ level: "silent" }),
      verifyWindowSeconds: 1,
    });
  });
  afterAll(async () => pg?.stop());
  /** as the page posts: a browser sends its page's Origin */
  const post = (path: string, body: unknown, type = "application/json", origin = new URL(pg.url).origin) =>
    fetch(new URL(path, pg.url), {
      method: "POST",
      headers: { "content-type": type, ...(origin ? { origin } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const state = async (user: string) =>
    (await (await fetch(new URL(`/api/state?user=${user}`, pg.url))).json()) as {
      messages: unknown[];
      ephemerals: { text: string }[];
    };

  it("acts only on posts from its own page: another Origin, or none, is refused and nothing runs", async () => {
    const before = (await state("U0ALICE")).ephemerals.length;
    for (const origin of ["http://evil.example", "null", ""]) {
      const r = await post("/api/command", { user: "U0ALICE", text: "/mem help" }, "application/json", origin);
      expect({ origin, status: r.status }).toEqual({ origin, status: 403 });
    }
    expect((await state("U0ALICE")).ephemerals.length).toBe(before);
  });

  it("its embedded Slack app listens on loopback only, as the page does", async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal)?.address;
    const reach = (host: string) =>
      new Promise<string>((resolve) => {
        const s = connect({ host, port: pg.app.port }, () => {
          s.destroy();
          resolve("connected");
        }).on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
      });
    expect(await reach("127.0.0.1")).toBe("connected");
    // a machine with no other interface cannot show it; this one (CI's) has one
    if (external) expect(await reach(external)).toBe("ECONNREFUSED");
  });

  it("serves the page with a strict content security policy", async () => {
    const r = await fetch(pg.url);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await r.text()).toContain('<script type="module" src="/app.js">');
  });

  it("answers only to localhost (no DNS rebinding) and only to JSON posts from a known user", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(pg.url);
      request({ host: u.hostname, port: u.port, path: "/api/state", headers: { host: "evil.example:80" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(403);
    expect((await post("/api/command", "text=/mem help", "application/x-www-form-urlencoded")).status).toBe(415);
    const unknown = await post("/api/command", { user: "U0MALLORY", text: "/mem help" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'unknown user "U0MALLORY"' });
    const other = await post("/api/command", { user: "U0ALICE", text: "/deploy prod" });
    expect(await other.json()).toEqual({ error: "/deploy is not a command in this workspace; memops answers /mem" });
    expect(
      (await post("/api/click", { user: "U0ALICE", messageTs: "1.000000", actionId: "x", value: "y" })).status,
    ).toBe(404);
    expect((await state("U0ALICE")).messages).toEqual([]);
  });

  it("sends /mem as a signed slash command; the answer is visible only to the person who asked", async () => {
    const r = await post("/api/command", { user: "U0ALICE", text: "/mem help" });
    expect(r.status).toBe(200);
    expect((await state("U0ALICE")).ephemerals.map((e) => e.text).join("\n")).toMatch(/^memops commands: diagnose/);
    expect((await state("U0BOB")).ephemerals).toEqual([]);
  });
});
