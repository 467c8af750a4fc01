/**
 * `fetch` for memops's own HTTP clients — Slack's Web API (the client's `fetch` option), the file
 * upload, Prometheus — over node:http and node:https. Node's global fetch is undici: its first call
 * compiles ~750 KB of JavaScript and a WebAssembly HTTP parser, +17 MiB resident in a bare process,
 * and memops makes a Slack call at start (BENCHMARKS.md, issue 13). What memops sends is small — a
 * method, headers, a string or bytes body, a timeout signal — and what it reads is the status, the
 * headers and the body, whole. It behaves as fetch does where memops can tell: a refused connection
 * rejects with a TypeError whose `cause` is the system error, an abort with the signal's reason,
 * redirects are followed (or refused with `redirect: "error"`), a compressed answer is decoded.
 * A body it does not know how to send (FormData) goes to the platform's fetch, and its answer is read
 * whole like any other.
 */
import http from "./node-http.ts";
import https from "node:https";
import { promisify } from "node:util";
import zlib from "node:zlib";

export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | FormData | null;
  redirect?: "follow" | "error" | "manual";
  signal?: AbortSignal | null;
  /** the longest silence of the server before the request fails: undici's 300 s unless given */
  idleTimeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  /** the URL that answered, after redirects */
  readonly url: string;
  readonly headers: { get(name: string): string | null; entries(): IterableIterator<[string, string]> };
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** as Node's fetch (undici's headersTimeout and bodyTimeout): a server silent this long has failed */
const IDLE_TIMEOUT_MS = 300_000;
const MAX_REDIRECTS = 20;

/** As fetch rejects: a TypeError whose cause says why. */
const failed = (cause: unknown) => new TypeError("fetch failed", { cause });

/** `headers` without those whose name matches `drop` */
const without = (headers: Record<string, string> | undefined, drop: RegExp): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => !drop.test(k)));

class BufferedResponse implements HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: HttpResponse["headers"];
  readonly #body: Buffer;

  constructor(status: number, statusText: string, url: string, headers: Map<string, string>, body: Buffer) {
    this.status = status;
    this.statusText = statusText;
    this.url = url;
    this.headers = { get: (name) => headers.get(name.toLowerCase()) ?? null, entries: () => headers.entries() };
    this.#body = body;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  text(): Promise<string> {
    return Promise.resolve(this.#body.toString("utf8"));
  }

  json(): Promise<unknown> {
    return this.text().then((t) => JSON.parse(t) as unknown);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#body;
    return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

/** The body as sent, decompressed on the thread pool (a 1,200-pod Prometheus answer is megabytes). */
function decoded(encoding: string | undefined, body: Buffer): Promise<Buffer> {
  switch (encoding?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return gunzip(body);
    case "deflate":
      return inflate(body);
    case "br":
      return brotli(body);
    default:
      return Promise.resolve(body);
  }
}

/** A body other than a string or bytes (FormData), through the platform's fetch. */
async function viaPlatform(url: URL, init: HttpRequestInit): Promise<BufferedResponse> {
  const res = await fetch(url, init);
  const body = Buffer.from(await res.arrayBuffer());
  return new BufferedResponse(res.status, res.statusText, res.url, new Map(res.headers.entries()), body);
}

function once(url: URL, init: HttpRequestInit & { body?: string | Uint8Array | null }): Promise<BufferedResponse> {
  const signal = init.signal ?? undefined;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const body = init.body ?? undefined;
    const headers: Record<string, string | number> = { ...init.headers };
    if (body !== undefined) headers["content-length"] = Buffer.byteLength(body);
    // Unlike fetch, no Accept-Encoding unless the caller sends one: from the in-cluster Prometheus,
    // gzip cost ~30 ms a diagnosis (deploy/api p50 55 → 90 ms, BENCHMARKS.md) to save bytes on a LAN.
    const req = (url.protocol === "https:" ? https : http).request(
      url,
      { method: init.method ?? "GET", headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", fail);
        res.on("end", () => {
          signal?.removeEventListener("abort", onAbort);
          const fields = new Map<string, string>();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) fields.set(k, Array.isArray(v) ? v.join(", ") : v);
          decoded(res.headers["content-encoding"], Buffer.concat(chunks)).then(
            (b) => resolve(new BufferedResponse(res.statusCode ?? 0, res.statusMessage ?? "", url.href, fields, b)),
            (e: unknown) => reject(failed(e)),
          );
        });
      },
    );
    function fail(e: Error): void {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? (signal.reason as Error) : failed(e));
    }
    function onAbort(): void {
      req.destroy(signal?.reason as Error);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    const idleMs = init.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    req.setTimeout(idleMs, () => req.destroy(new Error(`no answer for ${idleMs} ms`)));
    req.on("error", fail);
    req.end(body);
  });
}

export async function httpFetch(input: string | URL, init: HttpRequestInit = {}): Promise<HttpResponse> {
  let url = new URL(input);
  let req = init;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw failed(new Error(`unsupported protocol ${url.protocol}`));
    const body = req.body;
    if (body != null && typeof body !== "string" && !(body instanceof Uint8Array)) return viaPlatform(url, req);
    const res = await once(url, { ...req, body });
    const location = res.headers.get("location");
    if (!REDIRECTS.has(res.status) || location === null || req.redirect === "manual") return res;
    if (req.redirect === "error") throw failed(new Error("unexpected redirect"));
    if (hop === MAX_REDIRECTS) throw failed(new Error("redirect count exceeded"));
    const next = new URL(location, url);
    // as fetch does: credentials do not follow a redirect to another origin (a bot token to a stranger)
    if (next.origin !== url.origin)
      req = { ...req, headers: without(req.headers, /^(authorization|cookie|proxy-authorization)$/i) };
    url = next;
    // as fetch does: a 303, or a 301/302 answering a POST, becomes a GET without a body
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && req.method === "POST"))
      req = { ...req, method: "GET", body: null, headers: without(req.headers, /^content-/i) };
  }
}
