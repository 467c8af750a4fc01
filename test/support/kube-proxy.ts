/**
 * A plain-HTTP proxy in front of the real kube-apiserver (HTTPS, static tokens pass through), that can
 * stop at one request: before forwarding it, or after the API server has answered but before the
 * client hears back. The crash tests kill memops there; memops itself has no test hook.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { request } from "node:https";
import type { AddressInfo } from "node:net";

export interface Trap {
  match: (method: string, url: string) => boolean;
  /** "before": the request never reaches the API server; "after": it does, its answer never comes back */
  when: "before" | "after";
  /** runs at the trap, before the connection is dropped (the test kills memops here) */
  spring: () => void | Promise<void>;
}

export class KubeProxy {
  readonly #upstream: URL;
  readonly #ca: Buffer;
  #server: Server | null = null;
  #trap: (Trap & { sprung: () => void }) | null = null;
  /** every request seen, "METHOD path?query" */
  readonly seen: string[] = [];
  /** failures to reach the API server (a test that sees one is not testing what it says) */
  readonly errors: Error[] = [];

  constructor(upstream: string, caFile: string) {
    this.#upstream = new URL(upstream);
    this.#ca = readFileSync(caFile);
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Arms a trap for the next matching request; resolves once it has sprung. */
  arm(trap: Trap): Promise<void> {
    return new Promise((sprung) => (this.#trap = { ...trap, sprung }));
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? "/";
    this.seen.push(`${req.method} ${url}`);
    const trap = this.#trap && this.#trap.match(req.method ?? "", url) ? this.#trap : null;
    if (trap) this.#trap = null;
    if (trap?.when === "before") {
      await trap.spring();
      res.destroy();
      trap.sprung();
      return;
    }
    const headers = { ...req.headers, host: this.#upstream.host };
    const up = request(
      {
        hostname: this.#upstream.hostname,
        port: this.#upstream.port,
        path: url,
        method: req.method,
        headers,
        ca: this.#ca,
      },
      (answer) => {
        if (!trap) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        // the API server has done it; memops never hears so
        answer.resume();
        answer.once("end", () => {
          void Promise.resolve(trap.spring()).then(() => {
            res.destroy();
            trap.sprung();
          });
        });
      },
    );
    up.once("error", (e) => {
      this.errors.push(e);
      res.destroy();
    });
    up.end(body);
  }
}
