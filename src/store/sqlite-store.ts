import { mkdirSync } from "node:fs";
import {
  auditEntryOf,
  type AuditRow,
  auditJson,
  profileCompareJson,
  readParent,
  readProfileCompare,
  readProposal,
  subjectColumn,
} from "./rows.ts";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Proposal, ProposalStatus } from "../core/remediation/proposal.ts";
import { subjectKey } from "../core/subject.ts";
import { type AuditEntry, type AuditEvent, chain } from "../core/audit.ts";
import type { AuditKey } from "../core/audit-key.ts";
import type {
  ChatMessage,
  FixCheck,
  Incident,
  ProfileCompare,
  Store,
  Watch,
  WatchMute,
  WatchWarning,
  WorkloadRef,
} from "../ports.ts";
import type { Subject } from "../core/subject.ts";
import {
  fixCheck,
  type FixCheckRow,
  incident,
  type IncidentRow,
  mute,
  muteParams,
  type MuteRow,
  warning,
  type WarningRow,
  watch,
  type WatchRow,
} from "./incident-row.ts";
import { MIGRATIONS } from "./migrations.ts";

/** The embedded default Store: one SQLite file (WAL, full sync) for one memops process. */
export class SqliteStore implements Store {
  readonly #db: DatabaseSync;

  readonly #auditKey: AuditKey | null;

  /**
   * One prepared statement per SQL text (a few dozen), kept for the store's life: preparing one per call
   * parses the SQL every time and leaves each statement in native memory until its small JS wrapper
   * happens to be collected.
   */
  readonly #statements = new Map<string, StatementSync>();

  #prepare(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) this.#statements.set(sql, (s = this.#db.prepare(sql)));
    return s;
  }

  /** `auditKey`: the key new audit entries are chained with (HMAC); none: plain SHA-256 */
  constructor(file: string, options: { auditKey?: AuditKey | null } = {}) {
    this.#auditKey = options.auditKey ?? null;
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.#db = new DatabaseSync(file);
    this.#db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
    );
    this.#migrate();
  }

  #migrate(): void {
    this.#db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    const done = new Set(
      (this.#prepare("SELECT id FROM schema_migrations").all() as { id: number }[]).map((r) => r.id),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        this.#db.exec(m.sql);
        this.#prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(
          m.id,
          m.name,
          new Date().toISOString(),
        );
        this.#db.exec("COMMIT");
      } catch (e) {
        this.#db.exec("ROLLBACK");
        throw e;
      }
    }
  }

  async insertProposal(p: Proposal): Promise<void> {
    this.#prepare(
      "INSERT INTO proposals (id, version, status, expires_at, created_at, target, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(p.id, p.version, p.status, p.expiresAt, p.createdAt, subjectKey(p.plan.target), JSON.stringify(p));
  }

  async proposal(id: string): Promise<Proposal | null> {
    const row = this.#prepare("SELECT data FROM proposals WHERE id = ?").get(id) as { data: string } | undefined;
    return row ? readProposal(row.data, id) : null;
  }

  async updateProposal(next: Proposal, expectedVersion: number): Promise<Proposal | null> {
    const saved = { ...next, version: expectedVersion + 1 };
    const r = this.#prepare(
      "UPDATE proposals SET version = ?, status = ?, expires_at = ?, data = ? WHERE id = ? AND version = ?",
    ).run(saved.version, saved.status, saved.expiresAt, JSON.stringify(saved), saved.id, expectedVersion);
    return r.changes === 1 ? saved : null;
  }

  async proposalsFor(target: WorkloadRef, status: ProposalStatus): Promise<Proposal[]> {
    const rows = this.#prepare("SELECT data FROM proposals WHERE target = ? AND status = ? ORDER BY created_at").all(
      subjectKey(target),
      status,
    ) as { data: string }[];
    return rows.map((r) => readProposal(r.data, ""));
  }

  async proposalsInStatus(status: ProposalStatus): Promise<Proposal[]> {
    const rows = this.#prepare("SELECT data FROM proposals WHERE status = ? ORDER BY created_at LIMIT 500").all(
      status,
    ) as { data: string }[];
    return rows.map((r) => readProposal(r.data, ""));
  }

  async expiredProposals(now: number): Promise<Proposal[]> {
    const rows = this.#prepare("SELECT data FROM proposals WHERE status = 'pending' AND expires_at < ?").all(now) as {
      data: string;
    }[];
    return rows.map((r) => readProposal(r.data, ""));
  }

  async saveParent(channel: string, ts: string, message: ChatMessage): Promise<void> {
    this.#prepare(
      "INSERT INTO parent_messages (channel, ts, message) VALUES (?, ?, ?) ON CONFLICT (channel, ts) DO UPDATE SET message = excluded.message",
    ).run(channel, ts, JSON.stringify(message));
  }

  async parent(channel: string, ts: string): Promise<ChatMessage | null> {
    const row = this.#prepare("SELECT message FROM parent_messages WHERE channel = ? AND ts = ?").get(channel, ts) as
      { message: string } | undefined;
    return row ? readParent(row.message, `${channel}/${ts}`) : null;
  }

  async appendAudit(event: AuditEvent): Promise<AuditEntry> {
    const [entry] = await this.appendAudits([event]);
    return entry!;
  }

  async appendAudits(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    // IMMEDIATE takes the write lock before reading the last entry: no two appends chain from the same one.
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      let last = (this.#prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() ?? null) as {
        seq: number;
        hash: string;
      } | null;
      const insert = this.#prepare(
        "INSERT INTO audit (seq, at, kind, target, entry, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
      );
      const entries = events.map((event) => {
        const entry = chain(last, event, this.#auditKey);
        const { seq, at, kind, prevHash, hash } = entry;
        insert.run(seq, at, kind, subjectColumn(entry.target), auditJson(entry), prevHash, hash);
        last = entry;
        return entry;
      });
      if (last)
        this.#prepare(
          "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        ).run(last.seq, last.hash);
      this.#db.exec("COMMIT");
      return entries;
    } catch (e) {
      this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  async auditHead(): Promise<{ seq: number; hash: string } | null> {
    const r = this.#prepare("SELECT seq, hash FROM audit_head WHERE id = 1").get() as
      { seq: number; hash: string } | undefined;
    return r ? { seq: Number(r.seq), hash: r.hash } : null;
  }

  async auditEntries(filter: { since?: number; target?: Subject; limit?: number } = {}): Promise<AuditEntry[]> {
    const rows = this.#prepare(
      `SELECT seq, at, kind, target, entry, prev_hash, hash FROM audit WHERE at >= ? ${filter.target ? "AND target = ?" : ""} ORDER BY seq ${filter.limit ? "DESC LIMIT ?" : "ASC"}`,
    ).all(
      ...[
        filter.since ?? 0,
        ...(filter.target ? [subjectKey(filter.target)] : []),
        ...(filter.limit ? [filter.limit] : []),
      ],
    ) as unknown as AuditRow[];
    const entries = rows.map(auditEntryOf);
    return filter.limit ? entries.reverse() : entries;
  }

  async openIncidents(channel: string): Promise<Incident[]> {
    const rows = this.#prepare(
      "SELECT id, workload, channel, thread_ts, status, opened_at, resolved_at FROM incidents WHERE channel = ? AND status = 'open' ORDER BY opened_at",
    ).all(channel) as unknown as IncidentRow[];
    return rows.map(incident);
  }

  async openIncident(subject: Subject, channel: string): Promise<Incident | null> {
    const r = this.#prepare(
      "SELECT id, workload, channel, thread_ts, status, opened_at, resolved_at FROM incidents WHERE workload = ? AND channel = ? AND status = 'open'",
    ).get(subjectKey(subject), channel) as IncidentRow | undefined;
    return r ? incident(r) : null;
  }

  async createIncident(i: Incident): Promise<boolean> {
    const r = this.#prepare(
      "INSERT INTO incidents (id, workload, channel, thread_ts, status, opened_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ).run(i.id, subjectKey(i.subject), i.channel, i.threadTs, i.status, i.openedAt, i.resolvedAt);
    return r.changes === 1;
  }

  async incident(id: string): Promise<Incident | null> {
    const r = this.#prepare(
      "SELECT id, workload, channel, thread_ts, status, opened_at, resolved_at FROM incidents WHERE id = ?",
    ).get(id) as IncidentRow | undefined;
    return r ? incident(r) : null;
  }

  async resolveIncident(id: string, at: number): Promise<void> {
    this.#prepare("UPDATE incidents SET status = 'resolved', resolved_at = ? WHERE id = ?").run(at, id);
  }

  async markAlertsSeen(
    alerts: readonly { fingerprint: string; startsAt: string; status: string }[],
    at: number,
  ): Promise<boolean[]> {
    const insert = this.#prepare(
      "INSERT INTO alerts_seen (fingerprint, starts_at, status, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    );
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const fresh = alerts.map((a) => insert.run(a.fingerprint, a.startsAt, a.status, at).changes === 1);
      this.#db.exec("COMMIT");
      return fresh;
    } catch (e) {
      this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  async markRequestSeen(signature: string, until: number, now: number): Promise<boolean> {
    this.#prepare("DELETE FROM requests_seen WHERE until_at < ?").run(now);
    return (
      this.#prepare("INSERT INTO requests_seen (signature, until_at) VALUES (?, ?) ON CONFLICT DO NOTHING").run(
        signature,
        until,
      ).changes === 1
    );
  }

  async tryLease(name: string, owner: string, now: number, until: number): Promise<boolean> {
    return (
      this.#prepare(
        `INSERT INTO leases (name, owner, until_at) VALUES (?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_at = excluded.until_at
        WHERE leases.owner = excluded.owner OR leases.until_at < ?`,
      ).run(name, owner, until, now).changes === 1
    );
  }

  async watchWarnings(): Promise<WatchWarning[]> {
    const rows = this.#prepare(
      "SELECT subject, channel, warned_at, thread_ts FROM watch_warnings ORDER BY warned_at",
    ).all() as unknown as WarningRow[];
    return rows.map(warning);
  }

  async recordWatchWarning(w: WatchWarning): Promise<boolean> {
    return (
      this.#prepare(
        "INSERT INTO watch_warnings (subject, channel, warned_at, thread_ts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      ).run(subjectKey(w.subject), w.channel, w.warnedAt, w.threadTs).changes === 1
    );
  }

  async endWatchWarning(subject: Subject, channel: string): Promise<void> {
    this.#prepare("DELETE FROM watch_warnings WHERE subject = ? AND channel = ?").run(subjectKey(subject), channel);
  }

  async muteWatch(m: WatchMute): Promise<void> {
    this.#prepare(
      `INSERT INTO watch_mutes (subject, channel, kind, until_at, generation, by_user, why, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (subject, channel) DO UPDATE SET kind = excluded.kind, until_at = excluded.until_at, generation = excluded.generation, by_user = excluded.by_user, why = excluded.why, at = excluded.at`,
    ).run(...muteParams(m));
  }

  async watchMutes(): Promise<WatchMute[]> {
    const rows = this.#prepare(
      "SELECT subject, channel, kind, until_at, generation, by_user, why, at FROM watch_mutes ORDER BY at",
    ).all() as unknown as MuteRow[];
    return rows.map(mute);
  }

  async unmuteWatch(subject: Subject, channel: string): Promise<void> {
    this.#prepare("DELETE FROM watch_mutes WHERE subject = ? AND channel = ?").run(subjectKey(subject), channel);
  }

  async scheduleFixChecks(
    proposalId: string,
    checks: readonly { afterSeconds: number; dueAt: number }[],
  ): Promise<void> {
    const insert = this.#prepare(
      "INSERT INTO fix_checks (proposal_id, after_seconds, due_at, status, owner, lease_until) VALUES (?, ?, ?, 'pending', '', 0) ON CONFLICT DO NOTHING",
    );
    for (const c of checks) insert.run(proposalId, c.afterSeconds, c.dueAt);
  }

  async claimDueFixCheck(owner: string, now: number, leaseUntil: number): Promise<FixCheck | null> {
    const r = this.#prepare(
      `UPDATE fix_checks SET owner = ?, lease_until = ? WHERE (proposal_id, after_seconds) = (
        SELECT proposal_id, after_seconds FROM fix_checks WHERE status = 'pending' AND due_at <= ? AND lease_until < ?
        ORDER BY due_at LIMIT 1
      ) AND status = 'pending' AND lease_until < ?
      RETURNING proposal_id, after_seconds, due_at`,
    ).get(owner, leaseUntil, now, now, now) as unknown as FixCheckRow | undefined;
    return r ? fixCheck(r) : null;
  }

  async finishFixCheck(proposalId: string, afterSeconds: number, owner: string): Promise<boolean> {
    return (
      this.#prepare(
        "UPDATE fix_checks SET status = 'done' WHERE proposal_id = ? AND after_seconds = ? AND owner = ? AND status = 'pending'",
      ).run(proposalId, afterSeconds, owner).changes === 1
    );
  }

  async scheduleProfileCompare(c: ProfileCompare): Promise<void> {
    this.#prepare(
      "INSERT INTO profile_compares (id, due_at, status, owner, lease_until, data) VALUES (?, ?, 'pending', '', 0, ?) ON CONFLICT DO NOTHING",
    ).run(c.id, c.dueAt, profileCompareJson(c));
  }

  async claimProfileCompare(
    owner: string,
    now: number,
    leaseUntil: number,
    id?: string,
  ): Promise<ProfileCompare | null> {
    const r = (
      id === undefined
        ? this.#prepare(
            `UPDATE profile_compares SET owner = ?, lease_until = ? WHERE id = (
              SELECT id FROM profile_compares WHERE status = 'pending' AND due_at <= ? AND lease_until < ?
              ORDER BY due_at LIMIT 1
            ) AND status = 'pending' AND lease_until < ?
            RETURNING id, data`,
          ).get(owner, leaseUntil, now, now, now)
        : this.#prepare(
            "UPDATE profile_compares SET owner = ?, lease_until = ? WHERE id = ? AND status = 'pending' AND lease_until < ? RETURNING id, data",
          ).get(owner, leaseUntil, id, now)
    ) as { id: string; data: string } | undefined;
    return r ? readProfileCompare(r.data, r.id) : null;
  }

  async finishProfileCompare(id: string, owner: string): Promise<boolean> {
    return (
      this.#prepare(
        "UPDATE profile_compares SET status = 'done' WHERE id = ? AND owner = ? AND status = 'pending'",
      ).run(id, owner).changes === 1
    );
  }

  async startWatch(w: Watch): Promise<void> {
    this.#prepare(
      "INSERT INTO watches (proposal_id, started_at, window_seconds, owner, lease_until, status) VALUES (?, ?, ?, ?, ?, 'watching')",
    ).run(w.proposalId, w.startedAt, w.windowSeconds, w.owner, w.leaseUntil);
  }

  async claimExpiredWatch(owner: string, now: number, leaseUntil: number): Promise<Watch | null> {
    const r = this.#prepare(
      `UPDATE watches SET owner = ?, lease_until = ? WHERE proposal_id = (
        SELECT proposal_id FROM watches WHERE status = 'watching' AND lease_until < ? ORDER BY lease_until LIMIT 1
      ) AND status = 'watching' AND lease_until < ?
      RETURNING proposal_id, started_at, window_seconds, owner, lease_until`,
    ).get(owner, leaseUntil, now, now) as WatchRow | undefined;
    return r ? watch(r) : null;
  }

  async renewWatch(proposalId: string, owner: string, leaseUntil: number): Promise<boolean> {
    return (
      this.#prepare(
        "UPDATE watches SET lease_until = ? WHERE proposal_id = ? AND owner = ? AND status = 'watching'",
      ).run(leaseUntil, proposalId, owner).changes === 1
    );
  }

  async finishWatch(proposalId: string, owner: string): Promise<boolean> {
    return (
      this.#prepare(
        "UPDATE watches SET status = 'done' WHERE proposal_id = ? AND owner = ? AND status = 'watching'",
      ).run(proposalId, owner).changes === 1
    );
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
