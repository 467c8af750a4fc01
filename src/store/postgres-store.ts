import pg from "pg";
import {
  auditEntryOf,
  type AuditRow,
  profileCompareJson,
  readParent,
  readProfileCompare,
  readProposal,
} from "./rows.ts";
import { insertAlertsSeen, insertAudits } from "./postgres-batch.ts";
import type { AuditEntry, AuditEvent } from "../core/audit.ts";
import type { AuditKey } from "../core/audit-key.ts";
import type { Proposal, ProposalStatus } from "../core/remediation/proposal.ts";
import { subjectKey } from "../core/subject.ts";
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

/** Serialises audit appends (and migrations) across every replica sharing the database. */
const AUDIT_LOCK = 0x6d656d6f; // "memo"
const MIGRATION_LOCK = 0x6d656d70;

/** The Store on PostgreSQL: what lets several memops replicas serve one Slack app. */
export class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #ready: Promise<void>;

  /** `schema` (optional) is the search path for every connection: tests use one schema each. */
  readonly #auditKey: AuditKey | null;

  /** `auditKey`: the key new audit entries are chained with (HMAC); none: plain SHA-256 */
  constructor(url: string, options: { schema?: string; max?: number; auditKey?: AuditKey | null } = {}) {
    this.#auditKey = options.auditKey ?? null;
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    // the schema is a startup parameter of every connection: no query races the first one on a new client
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    this.#ready = this.#migrate();
    this.#ready.catch(() => undefined); // reported by the first call that awaits it
  }

  async #tx<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.#pool.connect();
    try {
      await c.query("BEGIN");
      const out = await work(c);
      await c.query("COMMIT");
      return out;
    } catch (e) {
      await c.query("ROLLBACK");
      throw e;
    } finally {
      c.release();
    }
  }

  async #migrate(): Promise<void> {
    await this.#tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await c.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
      );
      const done = new Set((await c.query<{ id: number }>("SELECT id FROM schema_migrations")).rows.map((r) => r.id));
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await c.query(m.sql);
        await c.query("INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)", [
          m.id,
          m.name,
          new Date().toISOString(),
        ]);
      }
    });
  }

  async #q<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    await this.#ready;
    return this.#pool.query<R>(sql, params);
  }

  async insertProposal(p: Proposal): Promise<void> {
    await this.#q(
      "INSERT INTO proposals (id, version, status, expires_at, created_at, target, data) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [p.id, p.version, p.status, p.expiresAt, p.createdAt, subjectKey(p.plan.target), JSON.stringify(p)],
    );
  }

  async proposal(id: string): Promise<Proposal | null> {
    const r = await this.#q<{ data: string }>("SELECT data FROM proposals WHERE id = $1", [id]);
    return r.rows[0] ? readProposal(r.rows[0].data, id) : null;
  }

  async updateProposal(next: Proposal, expectedVersion: number): Promise<Proposal | null> {
    const saved = { ...next, version: expectedVersion + 1 };
    const r = await this.#q(
      "UPDATE proposals SET version = $1, status = $2, expires_at = $3, data = $4 WHERE id = $5 AND version = $6",
      [saved.version, saved.status, saved.expiresAt, JSON.stringify(saved), saved.id, expectedVersion],
    );
    return r.rowCount === 1 ? saved : null;
  }

  async proposalsFor(target: WorkloadRef, status: ProposalStatus): Promise<Proposal[]> {
    const r = await this.#q<{ data: string }>(
      "SELECT data FROM proposals WHERE target = $1 AND status = $2 ORDER BY created_at",
      [subjectKey(target), status],
    );
    return r.rows.map((row) => readProposal(row.data, ""));
  }

  async proposalsInStatus(status: ProposalStatus): Promise<Proposal[]> {
    const r = await this.#q<{ data: string }>(
      "SELECT data FROM proposals WHERE status = $1 ORDER BY created_at LIMIT 500",
      [status],
    );
    return r.rows.map((row) => readProposal(row.data, ""));
  }

  async expiredProposals(now: number): Promise<Proposal[]> {
    const r = await this.#q<{ data: string }>(
      "SELECT data FROM proposals WHERE status = 'pending' AND expires_at < $1",
      [now],
    );
    return r.rows.map((row) => readProposal(row.data, ""));
  }

  async saveParent(channel: string, ts: string, message: ChatMessage): Promise<void> {
    await this.#q(
      "INSERT INTO parent_messages (channel, ts, message) VALUES ($1, $2, $3) ON CONFLICT (channel, ts) DO UPDATE SET message = EXCLUDED.message",
      [channel, ts, JSON.stringify(message)],
    );
  }

  async parent(channel: string, ts: string): Promise<ChatMessage | null> {
    const r = await this.#q<{ message: string }>("SELECT message FROM parent_messages WHERE channel = $1 AND ts = $2", [
      channel,
      ts,
    ]);
    return r.rows[0] ? readParent(r.rows[0].message, `${channel}/${ts}`) : null;
  }

  async appendAudit(event: AuditEvent): Promise<AuditEntry> {
    const [entry] = await this.appendAudits([event]);
    return entry!;
  }

  async appendAudits(events: readonly AuditEvent[]): Promise<AuditEntry[]> {
    await this.#ready;
    return this.#tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1)", [AUDIT_LOCK]);
      return insertAudits(c, events, this.#auditKey);
    });
  }

  async auditHead(): Promise<{ seq: number; hash: string } | null> {
    const r = await this.#q<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head WHERE id = 1");
    return r.rows[0] ? { seq: Number(r.rows[0].seq), hash: r.rows[0].hash } : null;
  }

  async auditEntries(filter: { since?: number; target?: Subject; limit?: number } = {}): Promise<AuditEntry[]> {
    const params: unknown[] = [filter.since ?? 0];
    if (filter.target) params.push(subjectKey(filter.target));
    if (filter.limit) params.push(filter.limit);
    const r = await this.#q<AuditRow>(
      `SELECT seq, at, kind, target, entry, prev_hash, hash FROM audit WHERE at >= $1 ${filter.target ? "AND target = $2" : ""} ORDER BY seq ${filter.limit ? `DESC LIMIT $${params.length}` : "ASC"}`,
      params,
    );
    const entries = r.rows.map(auditEntryOf);
    return filter.limit ? entries.reverse() : entries;
  }

  async openIncidents(channel: string): Promise<Incident[]> {
    const r = await this.#q<IncidentRow>(
      "SELECT id, workload, channel, thread_ts, status, opened_at, resolved_at FROM incidents WHERE channel = $1 AND status = 'open' ORDER BY opened_at",
      [channel],
    );
    return r.rows.map(incident);
  }

  async openIncident(subject: Subject, channel: string): Promise<Incident | null> {
    const r = await this.#q<IncidentRow>(
      "SELECT id, workload, channel, thread_ts, status, opened_at, resolved_at FROM incidents WHERE workload = $1 AND channel = $2 AND status = 'open'",
      [subjectKey(subject), channel],
    );
    return r.rows[0] ? incident(r.rows[0]) : null;
  }

  async createIncident(i: Incident): Promise<boolean> {
    const r = await this.#q(
      "INSERT INTO incidents (id, workload, channel, thread_ts, status, opened_at, resolved_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
      [i.id, subjectKey(i.subject), i.channel, i.threadTs, i.status, i.openedAt, i.resolvedAt],
    );
    return r.rowCount === 1;
  }

  async incident(id: string): Promise<Incident | null> {
    const r = await this.#q<IncidentRow>(
      "SELECT id, workload, channel, thread_ts, status, opened_at, resolved_at FROM incidents WHERE id = $1",
      [id],
    );
    return r.rows[0] ? incident(r.rows[0]) : null;
  }

  async resolveIncident(id: string, at: number): Promise<void> {
    await this.#q("UPDATE incidents SET status = 'resolved', resolved_at = $1 WHERE id = $2", [at, id]);
  }

  async markAlertsSeen(
    alerts: readonly { fingerprint: string; startsAt: string; status: string }[],
    at: number,
  ): Promise<boolean[]> {
    if (alerts.length === 0) return [];
    await this.#ready;
    return this.#tx((c) => insertAlertsSeen(c, alerts, at));
  }

  async markRequestSeen(signature: string, until: number, now: number): Promise<boolean> {
    await this.#q("DELETE FROM requests_seen WHERE until_at < $1", [now]);
    const r = await this.#q("INSERT INTO requests_seen (signature, until_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
      signature,
      until,
    ]);
    return r.rowCount === 1;
  }

  async tryLease(name: string, owner: string, now: number, until: number): Promise<boolean> {
    const r = await this.#q(
      `INSERT INTO leases (name, owner, until_at) VALUES ($1, $2, $3)
        ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_at = excluded.until_at
        WHERE leases.owner = excluded.owner OR leases.until_at < $4`,
      [name, owner, until, now],
    );
    return r.rowCount === 1;
  }

  async watchWarnings(): Promise<WatchWarning[]> {
    const r = await this.#q<WarningRow>(
      "SELECT subject, channel, warned_at, thread_ts FROM watch_warnings ORDER BY warned_at",
    );
    return r.rows.map(warning);
  }

  async recordWatchWarning(w: WatchWarning): Promise<boolean> {
    const r = await this.#q(
      "INSERT INTO watch_warnings (subject, channel, warned_at, thread_ts) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
      [subjectKey(w.subject), w.channel, w.warnedAt, w.threadTs],
    );
    return r.rowCount === 1;
  }

  async endWatchWarning(subject: Subject, channel: string): Promise<void> {
    await this.#q("DELETE FROM watch_warnings WHERE subject = $1 AND channel = $2", [subjectKey(subject), channel]);
  }

  async muteWatch(m: WatchMute): Promise<void> {
    await this.#q(
      `INSERT INTO watch_mutes (subject, channel, kind, until_at, generation, by_user, why, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (subject, channel) DO UPDATE SET kind = excluded.kind, until_at = excluded.until_at, generation = excluded.generation, by_user = excluded.by_user, why = excluded.why, at = excluded.at`,
      [...muteParams(m)],
    );
  }

  async watchMutes(): Promise<WatchMute[]> {
    const r = await this.#q<MuteRow>(
      "SELECT subject, channel, kind, until_at, generation, by_user, why, at FROM watch_mutes ORDER BY at",
    );
    return r.rows.map(mute);
  }

  async unmuteWatch(subject: Subject, channel: string): Promise<void> {
    await this.#q("DELETE FROM watch_mutes WHERE subject = $1 AND channel = $2", [subjectKey(subject), channel]);
  }

  async scheduleFixChecks(
    proposalId: string,
    checks: readonly { afterSeconds: number; dueAt: number }[],
  ): Promise<void> {
    for (const c of checks)
      await this.#q(
        "INSERT INTO fix_checks (proposal_id, after_seconds, due_at, status, owner, lease_until) VALUES ($1, $2, $3, 'pending', '', 0) ON CONFLICT DO NOTHING",
        [proposalId, c.afterSeconds, c.dueAt],
      );
  }

  async claimDueFixCheck(owner: string, now: number, leaseUntil: number): Promise<FixCheck | null> {
    const r = await this.#q<FixCheckRow>(
      `UPDATE fix_checks SET owner = $1, lease_until = $2 WHERE (proposal_id, after_seconds) = (
        SELECT proposal_id, after_seconds FROM fix_checks WHERE status = 'pending' AND due_at <= $3 AND lease_until < $3
        ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED
      ) AND status = 'pending' AND lease_until < $3
      RETURNING proposal_id, after_seconds, due_at`,
      [owner, leaseUntil, now],
    );
    return r.rows[0] ? fixCheck(r.rows[0]) : null;
  }

  async finishFixCheck(proposalId: string, afterSeconds: number, owner: string): Promise<boolean> {
    const r = await this.#q(
      "UPDATE fix_checks SET status = 'done' WHERE proposal_id = $1 AND after_seconds = $2 AND owner = $3 AND status = 'pending'",
      [proposalId, afterSeconds, owner],
    );
    return r.rowCount === 1;
  }

  async scheduleProfileCompare(c: ProfileCompare): Promise<void> {
    await this.#q(
      "INSERT INTO profile_compares (id, due_at, status, owner, lease_until, data) VALUES ($1, $2, 'pending', '', 0, $3) ON CONFLICT DO NOTHING",
      [c.id, c.dueAt, profileCompareJson(c)],
    );
  }

  async claimProfileCompare(
    owner: string,
    now: number,
    leaseUntil: number,
    id?: string,
  ): Promise<ProfileCompare | null> {
    const r =
      id === undefined
        ? await this.#q<{ id: string; data: string }>(
            `UPDATE profile_compares SET owner = $1, lease_until = $2 WHERE id = (
              SELECT id FROM profile_compares WHERE status = 'pending' AND due_at <= $3 AND lease_until < $3
              ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED
            ) AND status = 'pending' AND lease_until < $3
            RETURNING id, data`,
            [owner, leaseUntil, now],
          )
        : await this.#q<{ id: string; data: string }>(
            "UPDATE profile_compares SET owner = $1, lease_until = $2 WHERE id = $3 AND status = 'pending' AND lease_until < $4 RETURNING id, data",
            [owner, leaseUntil, id, now],
          );
    const row = r.rows[0];
    return row ? readProfileCompare(row.data, row.id) : null;
  }

  async finishProfileCompare(id: string, owner: string): Promise<boolean> {
    const r = await this.#q(
      "UPDATE profile_compares SET status = 'done' WHERE id = $1 AND owner = $2 AND status = 'pending'",
      [id, owner],
    );
    return r.rowCount === 1;
  }

  async startWatch(w: Watch): Promise<void> {
    await this.#q(
      "INSERT INTO watches (proposal_id, started_at, window_seconds, owner, lease_until, status) VALUES ($1, $2, $3, $4, $5, 'watching')",
      [w.proposalId, w.startedAt, w.windowSeconds, w.owner, w.leaseUntil],
    );
  }

  async claimExpiredWatch(owner: string, now: number, leaseUntil: number): Promise<Watch | null> {
    // SKIP LOCKED: two replicas looking at once take different rows, never the same one.
    const r = await this.#q<WatchRow>(
      `UPDATE watches SET owner = $1, lease_until = $2 WHERE proposal_id = (
        SELECT proposal_id FROM watches WHERE status = 'watching' AND lease_until < $3 ORDER BY lease_until LIMIT 1 FOR UPDATE SKIP LOCKED
      ) RETURNING proposal_id, started_at, window_seconds, owner, lease_until`,
      [owner, leaseUntil, now],
    );
    return r.rows[0] ? watch(r.rows[0]) : null;
  }

  async renewWatch(proposalId: string, owner: string, leaseUntil: number): Promise<boolean> {
    return (
      (
        await this.#q(
          "UPDATE watches SET lease_until = $1 WHERE proposal_id = $2 AND owner = $3 AND status = 'watching'",
          [leaseUntil, proposalId, owner],
        )
      ).rowCount === 1
    );
  }

  async finishWatch(proposalId: string, owner: string): Promise<boolean> {
    return (
      (
        await this.#q(
          "UPDATE watches SET status = 'done' WHERE proposal_id = $1 AND owner = $2 AND status = 'watching'",
          [proposalId, owner],
        )
      ).rowCount === 1
    );
  }

  async close(): Promise<void> {
    await this.#ready.catch(() => undefined);
    await this.#pool.end();
  }
}
