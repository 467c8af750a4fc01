/** A local HTTP server that answers as a test says, recording each request: adapters tested without etcd or Prometheus. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Answer = (req: Seen, res: ServerResponse) => void;

export class FakeHttp {
  readonly seen: Seen[] = [];
  #server: Server | null = null;
  answer: Answer = (_req, res) => {
    res.writeHead(404).end();
  };

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const seen = {
          method: req.method ?? "",
          url: new URL(req.url ?? "/", "http://fake"),
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        };
        this.seen.push(seen);
        this.answer(seen, res);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

export const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
