/**
 * memops's fetch over node:http (src/http-fetch.ts), against a real local HTTP server: what the Slack
 * client, the file upload and the Prometheus adapter rely on fetch for, it does the same way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "../../src/http-fetch.ts";

let server: Server;
let base: string;
const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];

function route(req: IncomingMessage, body: string, res: ServerResponse): void {
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
  const path = new URL(req.url ?? "/", base).pathname;
  if (path === "/echo") {
    res.writeHead(200, { "content-type": "application/json", "x-oauth-scopes": "chat:write" });
    res.end(JSON.stringify({ ok: true, method: req.method, body }));
  } else if (path === "/gzip") {
    // compressed only for a client that says it takes gzip, as Prometheus answers
    if (!/\bgzip\b/.test(String(req.headers["accept-encoding"]))) return void res.end("plain answer");
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
    res.end(gzipSync("compressed answer"));
  } else if (path === "/broken-gzip") {
    res.writeHead(200, { "content-encoding": "gzip" });
    res.end("not gzip at all");
  } else if (path === "/see-other") {
    res.writeHead(303, { location: "/echo?after=303" });
    res.end();
  } else if (path === "/moved") {
    res.writeHead(307, { location: `${base}/echo?after=307` });
    res.end();
  } else if (path === "/go") {
    res.writeHead(302, { location: new URL(req.url ?? "/", base).searchParams.get("to") ?? "/" });
    res.end();
  } else if (path === "/loop") {
    res.writeHead(302, { location: "/loop" });
    res.end();
  } else if (path === "/slow") {
    setTimeout(() => res.end("late"), 2_000).unref();
  } else if (path === "/limited") {
    res.writeHead(429, { "retry-after": "3" });
    res.end();
  } else {
    res.writeHead(404, "Not Found");
    res.end("no such thing");
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => route(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("httpFetch", () => {
  it("posts a form body with its length and headers, and reads status, headers and body", async () => {
    const res = await httpFetch(`${base}/echo`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Bearer xoxb-1" },
      body: "channel=C1&text=h%C3%A9",
    });
    expect([res.status, res.ok, res.url]).toEqual([200, true, `${base}/echo`]);
    expect(res.headers.get("X-OAuth-Scopes")).toBe("chat:write");
    expect(res.headers.get("retry-after")).toBeNull();
    expect(Object.fromEntries(res.headers.entries())).toMatchObject({ "content-type": "application/json" });
    expect(await res.json()).toEqual({ ok: true, method: "POST", body: "channel=C1&text=h%C3%A9" });
    // read whole: a second reader (the Slack client after memops's counter) gets the same body
    expect(JSON.parse(await res.text())).toMatchObject({ ok: true });
    const sent = seen.at(-1);
    expect(sent?.headers["content-length"]).toBe(String(Buffer.byteLength("channel=C1&text=h%C3%A9")));
    expect(sent?.headers["authorization"]).toBe("Bearer xoxb-1");
  });

  it("sends bytes as they are, and hands the answer back as bytes too", async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const res = await httpFetch(`${base}/echo`, { method: "POST", body: bytes });
    expect(seen.at(-1)?.headers["content-length"]).toBe("4");
    const back = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(back)).toContain('"method":"POST"');
  });

  it("reports an error status as a response, not a rejection", async () => {
    const res = await httpFetch(`${base}/nothing`);
    expect([res.status, res.ok, res.statusText, await res.text()]).toEqual([404, false, "Not Found", "no such thing"]);
    const limited = await httpFetch(`${base}/limited`);
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "3"]);
  });

  it("decompresses a gzip answer when asked for one, asks for none by default; a corrupt one rejects as fetch does", async () => {
    const zipped = await httpFetch(`${base}/gzip`, { headers: { "Accept-Encoding": "gzip" } });
    expect(await zipped.text()).toBe("compressed answer");
    expect(await (await httpFetch(`${base}/gzip`)).text()).toBe("plain answer");
    expect(seen.at(-1)?.headers["accept-encoding"]).toBeUndefined();
    await expect(httpFetch(`${base}/broken-gzip`)).rejects.toMatchObject({
      name: "TypeError",
      cause: { code: "Z_DATA_ERROR" },
    });
  });

  it("follows redirects as fetch does: a 303 turns a POST into a GET without its body, a 307 keeps it", async () => {
    const after303 = await httpFetch(`${base}/see-other`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect([after303.url, await after303.json()]).toEqual([
      `${base}/echo?after=303`,
      { ok: true, method: "GET", body: "" },
    ]);
    expect(seen.at(-1)?.headers["content-type"]).toBeUndefined();
    const after307 = await httpFetch(`${base}/moved`, { method: "POST", body: "kept" });
    expect(await after307.json()).toEqual({ ok: true, method: "POST", body: "kept" });
  });

  it("keeps credentials within the origin: a redirect to another host does not carry the token", async () => {
    const other = createServer((req, res) => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: "" });
      res.end("elsewhere");
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    const elsewhere = `http://localhost:${(other.address() as AddressInfo).port}/landing`;
    try {
      const res = await httpFetch(`${base}/go?to=${encodeURIComponent(elsewhere)}`, {
        headers: { authorization: "Bearer xoxb-secret", "x-trace": "t1" },
      });
      expect(await res.text()).toBe("elsewhere");
      expect(seen.at(-2)?.headers["authorization"]).toBe("Bearer xoxb-secret"); // the first hop, same origin
      expect(seen.at(-1)?.headers["authorization"]).toBeUndefined();
      expect(seen.at(-1)?.headers["x-trace"]).toBe("t1");
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it("refuses a redirect when told to (the Slack client's redirect: error), and a redirect loop", async () => {
    await expect(httpFetch(`${base}/moved`, { redirect: "error" })).rejects.toThrow(TypeError);
    await expect(httpFetch(`${base}/loop`)).rejects.toMatchObject({ cause: { message: "redirect count exceeded" } });
  });

  it("rejects with the signal's reason when it times out, and does not start when already aborted", async () => {
    const started = Date.now();
    await expect(httpFetch(`${base}/slow`, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
      name: "TimeoutError",
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    const before = seen.length;
    const aborted = AbortSignal.abort();
    await expect(httpFetch(`${base}/echo`, { signal: aborted })).rejects.toMatchObject({ name: "AbortError" });
    expect(seen.length).toBe(before);
  });

  it("fails a request whose server falls silent, as fetch does after 300 s (here 100 ms)", async () => {
    await expect(httpFetch(`${base}/slow`, { idleTimeoutMs: 100 })).rejects.toMatchObject({
      name: "TypeError",
      cause: { message: "no answer for 100 ms" },
    });
  });

  it("rejects an unreachable server with a TypeError whose cause is the system error, as fetch does", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(httpFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      name: "TypeError",
      cause: { code: "ECONNREFUSED" },
    });
    await expect(httpFetch("ftp://127.0.0.1/")).rejects.toThrow(TypeError);
  });

  it("sends a FormData body through the platform's fetch and reads its answer the same way", async () => {
    const form = new FormData();
    form.append("channel", "C1");
    const res = await httpFetch(`${base}/echo`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { body: string }).body).toContain('name="channel"');
    expect(await res.text()).toContain("C1");
  });
});
