import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * Slack's Socket Mode side: apps.connections.open hands out a ws:// URL; the app connects, gets
 * "hello", and receives envelopes it must acknowledge with their envelope_id.
 */
export class SocketModeServer {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();
  readonly #sockets = new Set<WebSocket>();
  readonly #waiting = new Map<string, (payload: unknown) => void>();
  #pinger: NodeJS.Timeout | undefined;

  constructor() {
    // Slack pings; the client reconnects when it hears nothing for 30 s.
    this.#pinger = setInterval(() => {
      for (const s of this.#sockets) s.ping();
    }, 10_000);
    this.#pinger.unref();
  }

  /** A one-time URL for apps.connections.open. */
  ticket(baseWsUrl: string): string {
    const t = randomUUID();
    this.#tickets.add(t);
    return `${baseWsUrl}socket/${t}`;
  }

  get connected(): number {
    return this.#sockets.size;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = (req.url ?? "").split("/").pop() ?? "";
    if (!this.#tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#sockets.add(ws);
      ws.on("close", () => this.#sockets.delete(ws));
      ws.on("message", (data: Buffer) => {
        const msg = JSON.parse(data.toString("utf8")) as { envelope_id?: string; payload?: unknown };
        const resolve = msg.envelope_id ? this.#waiting.get(msg.envelope_id) : undefined;
        if (resolve && msg.envelope_id) {
          this.#waiting.delete(msg.envelope_id);
          resolve(msg.payload ?? null);
        }
      });
      ws.send(
        JSON.stringify({
          type: "hello",
          num_connections: this.#sockets.size,
          debug_info: { host: "memops-emulator", approximate_connection_time: 3600 },
          connection_info: { app_id: "A0MEMOPS" },
        }),
      );
    });
  }

  /** Sends an envelope to one connected app and resolves with its acknowledgement payload. */
  deliver(type: "slash_commands" | "interactive", payload: unknown, timeoutMs = 3000): Promise<unknown> {
    const [socket] = this.#sockets;
    if (!socket) return Promise.reject(new Error("no app is connected over Socket Mode"));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`the app did not acknowledge envelope ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(id, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
      socket.send(
        JSON.stringify({
          envelope_id: id,
          type,
          payload,
          accepts_response_payload: true,
          retry_attempt: 0,
          retry_reason: "",
        }),
      );
    });
  }

  close(): void {
    clearInterval(this.#pinger);
    for (const s of this.#sockets) s.terminate();
    this.#wss.close();
  }
}
