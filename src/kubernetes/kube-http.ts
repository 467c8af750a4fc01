/**
 * HTTP to the API server: TLS and credentials from a KubeTarget, JSON in and out (protobuf in where a
 * list is too big to parse whole), errors with their status. Node's own http/https (undici as a package would add ~25 MB to the process).
 */
import { readFileSync } from "node:fs";
import http from "../node-http.ts";
import https from "node:https";
import { execCredentials, type KubeTarget } from "./kube-config.ts";

/** A response the API server gave with an error status; its body (a Status) is for classification only. */
/** An answer that grew past its cap: the request is cut off, not buffered. */
export class TooLarge extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}

/** No complete answer within the time allowed. */
export class TimedOut extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

export class KubeHttpError extends Error {
  readonly code: number;
  readonly body: string;
  constructor(code: number, body: string) {
    super(`HTTP ${code}`);
    this.code = code;
    this.body = body;
  }
}

/** A list as the API server answers it (raw JSON: `metadata.continue`, not client-node's `_continue`). */
export interface List<T> {
  items: T[];
  metadata?: { continue?: string; remainingItemCount?: number };
}

/** "/namespaces/NS" for a namespaced path, "" for all namespaces. */
export const nsPath = (namespace: string | null): string =>
  namespace === null ? "" : `/namespaces/${encodeURIComponent(namespace)}`;

export type Query = Record<string, string | number | boolean | undefined>;

export const PATCH = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
} as const;

export class KubeHttp {
  readonly #target: KubeTarget;
  #agent: https.Agent | null = null;
  readonly #exec: ReturnType<typeof execCredentials> | null;

  constructor(target: KubeTarget) {
    this.#target = target;
    this.#exec = target.exec ? execCredentials(target.exec) : null;
  }

  #tokenRead: { token: string; at: number } | null = null;

  /** A projected service-account token rotates (hourly): re-read at most once a minute, not per request. */
  #fileToken(file: string): string {
    const now = Date.now();
    if (!this.#tokenRead || now - this.#tokenRead.at > 60_000)
      this.#tokenRead = { token: readFileSync(file, "utf8").trim(), at: now };
    return this.#tokenRead.token;
  }

  async #auth(): Promise<{ agent: https.Agent; headers: Record<string, string> }> {
    const t = this.#target;
    const fromExec = this.#exec ? await this.#exec() : {};
    const cert = fromExec.cert ?? t.cert;
    const key = fromExec.key ?? t.key;
    this.#agent ??= new https.Agent({
      keepAlive: true,
      ...(t.ca ? { ca: t.ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      rejectUnauthorized: !t.insecure,
    });
    const token = fromExec.token ?? t.token ?? (t.tokenFile ? this.#fileToken(t.tokenFile) : undefined);
    return { agent: this.#agent, headers: token ? { authorization: `Bearer ${token}` } : {} };
  }

  async #send(
    method: string,
    path: string,
    query: Query,
    body?: { type: string; data: unknown },
    accept = "application/json",
    bounds?: { maxBytes: number; timeoutMs: number },
  ): Promise<{ contentType: string; body: Buffer }> {
    const url = new URL(this.#target.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const { agent, headers } = await this.#auth();
    const payload = body ? JSON.stringify(body.data) : undefined;
    const secure = url.protocol === "https:";
    const res = await new Promise<{ status: number; contentType: string; body: Buffer }>((resolve, reject) => {
      const req = (secure ? https : http).request(
        url,
        {
          method,
          ...(secure ? { agent } : {}),
          headers: {
            accept,
            ...headers,
            ...(body ? { "content-type": body.type, "content-length": Buffer.byteLength(payload ?? "") } : {}),
          },
        },
        (r) => {
          const chunks: Buffer[] = [];
          let size = 0;
          r.on("data", (c: Buffer) => {
            size += c.length;
            if (bounds && size > bounds.maxBytes) req.destroy(new TooLarge(bounds.maxBytes));
            else chunks.push(c);
          });
          r.on("end", () =>
            resolve({
              status: r.statusCode ?? 0,
              contentType: r.headers["content-type"] ?? "",
              body: Buffer.concat(chunks),
            }),
          );
          r.on("error", reject);
        },
      );
      req.on("error", reject);
      if (bounds) req.setTimeout(bounds.timeoutMs, () => req.destroy(new TimedOut(bounds.timeoutMs)));
      req.end(payload);
    });
    if (res.status < 200 || res.status >= 300) throw new KubeHttpError(res.status, res.body.toString("utf8"));
    return res;
  }

  async #json<T>(method: string, path: string, query: Query, body?: { type: string; data: unknown }): Promise<T> {
    return JSON.parse((await this.#send(method, path, query, body)).body.toString("utf8")) as T;
  }

  async get<T>(path: string, query: Query = {}): Promise<T> {
    return this.#json<T>("GET", path, query);
  }

  /** The answer in Kubernetes' protobuf encoding when the server has one for the type, else as JSON. */
  async protobuf(path: string, query: Query = {}): Promise<{ contentType: string; body: Buffer }> {
    return this.#send("GET", path, query, undefined, "application/vnd.kubernetes.protobuf, application/json");
  }

  /** Bytes of any type, bounded in size and time (a pod's debug endpoint through the proxy). */
  async bytes(path: string, bounds: { maxBytes: number; timeoutMs: number }, query: Query = {}): Promise<Buffer> {
    return (await this.#send("GET", path, query, undefined, "*/*", bounds)).body;
  }

  async text(path: string, query: Query = {}): Promise<string> {
    return (await this.#send("GET", path, query)).body.toString("utf8");
  }

  async patch<T>(path: string, type: string, data: unknown, query: Query = {}): Promise<T> {
    return this.#json<T>("PATCH", path, query, { type, data });
  }

  async post<T>(path: string, data: unknown): Promise<T> {
    return this.#json<T>("POST", path, {}, { type: "application/json", data });
  }
}
