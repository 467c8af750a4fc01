import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Proposal } from "../core/remediation/proposal.ts";
import type { ChatMessage, Store } from "../ports.ts";
import { MIGRATIONS } from "./migrations.ts";

/** The embedded default Store: one SQLite file (WAL, full sync) for one memops process. */
export class SqliteStore implements Store {
  readonly #db: DatabaseSync;

  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.#db = new DatabaseSync(file);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
    this.#migrate();
  }

  #migrate(): void {
    this.#db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    const done = new Set((this.#db.prepare("SELECT id FROM schema_migrations").all() as { id: number }[]).map((r) => r.id));
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        this.#db.exec(m.sql);
        this.#db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(m.id, m.name, new Date().toISOString());
        this.#db.exec("COMMIT");
      } catch (e) {
        this.#db.exec("ROLLBACK");
        throw e;
      }
    }
  }

  async insertProposal(p: Proposal): Promise<void> {
    this.#db.prepare("INSERT INTO proposals (id, version, status, expires_at, created_at, data) VALUES (?, ?, ?, ?, ?, ?)")
      .run(p.id, p.version, p.status, p.expiresAt, p.createdAt, JSON.stringify(p));
  }

  async proposal(id: string): Promise<Proposal | null> {
    const row = this.#db.prepare("SELECT data FROM proposals WHERE id = ?").get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as Proposal) : null;
  }

  async updateProposal(next: Proposal, expectedVersion: number): Promise<Proposal | null> {
    const saved = { ...next, version: expectedVersion + 1 };
    const r = this.#db.prepare("UPDATE proposals SET version = ?, status = ?, expires_at = ?, data = ? WHERE id = ? AND version = ?")
      .run(saved.version, saved.status, saved.expiresAt, JSON.stringify(saved), saved.id, expectedVersion);
    return r.changes === 1 ? saved : null;
  }

  async expiredProposals(now: number): Promise<Proposal[]> {
    const rows = this.#db.prepare("SELECT data FROM proposals WHERE status = 'pending' AND expires_at < ?").all(now) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as Proposal);
  }

  async saveParent(channel: string, ts: string, message: ChatMessage): Promise<void> {
    this.#db.prepare("INSERT INTO parent_messages (channel, ts, message) VALUES (?, ?, ?) ON CONFLICT (channel, ts) DO UPDATE SET message = excluded.message")
      .run(channel, ts, JSON.stringify(message));
  }

  async parent(channel: string, ts: string): Promise<ChatMessage | null> {
    const row = this.#db.prepare("SELECT message FROM parent_messages WHERE channel = ? AND ts = ?").get(channel, ts) as { message: string } | undefined;
    return row ? (JSON.parse(row.message) as ChatMessage) : null;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
