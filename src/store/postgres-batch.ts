/** PostgreSQL's multi-row writes: a storm of alerts or a batch of audit entries in a few statements. */
import type pg from "pg";
import { type AuditEntry, type AuditEvent, chain } from "../core/audit.ts";
import type { AuditKey } from "../core/audit-key.ts";
import { auditJson, subjectColumn } from "./rows.ts";

/** Chains and inserts the entries after the last one, and moves the head; the caller holds the audit lock. */
export async function insertAudits(
  c: pg.PoolClient,
  events: readonly AuditEvent[],
  key: AuditKey | null,
): Promise<AuditEntry[]> {
  const row = (await c.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"))
    .rows[0];
  let last: { seq: number; hash: string } | null = row ? { seq: Number(row.seq), hash: row.hash } : null;
  const entries = events.map((event) => {
    const entry = chain(last, event, key);
    last = entry;
    return entry;
  });
  // one statement for the whole batch: a storm of alerts is one round trip, not thousands
  for (let i = 0; i < entries.length; i += 500) {
    const batch = entries.slice(i, i + 500);
    await c.query(
      `INSERT INTO audit (seq, at, kind, target, entry, prev_hash, hash) VALUES ${batch
        .map(
          (_, j) =>
            `($${j * 7 + 1}, $${j * 7 + 2}, $${j * 7 + 3}, $${j * 7 + 4}, $${j * 7 + 5}, $${j * 7 + 6}, $${j * 7 + 7})`,
        )
        .join(", ")}`,
      batch.flatMap((e) => [e.seq, e.at, e.kind, subjectColumn(e.target), auditJson(e), e.prevHash, e.hash]),
    );
  }
  if (last)
    await c.query(
      "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
      [(last as { seq: number }).seq, (last as { hash: string }).hash],
    );
  return entries;
}

/** Inserts the alerts not seen before; for each, whether it is new (a repeat within the batch is not). */
export async function insertAlertsSeen(
  c: pg.PoolClient,
  alerts: readonly { fingerprint: string; startsAt: string; status: string }[],
  at: number,
): Promise<boolean[]> {
  const fresh: boolean[] = [];
  const key = (f: string, s: string, st: string) => `${f}\u0000${s}\u0000${st}`;
  // one statement per 500 alerts; RETURNING names the rows that were new
  for (let i = 0; i < alerts.length; i += 500) {
    const batch = alerts.slice(i, i + 500);
    const r = await c.query<{ fingerprint: string; starts_at: string; status: string }>(
      `INSERT INTO alerts_seen (fingerprint, starts_at, status, seen_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]), (SELECT $4::double precision) AS at
       ON CONFLICT DO NOTHING RETURNING fingerprint, starts_at, status`,
      [batch.map((a) => a.fingerprint), batch.map((a) => a.startsAt), batch.map((a) => a.status), at],
    );
    const isNew = new Set(r.rows.map((x) => key(x.fingerprint, x.starts_at, x.status)));
    for (const a of batch) {
      const k = key(a.fingerprint, a.startsAt, a.status);
      fresh.push(isNew.delete(k)); // a repeat within the batch is not new
    }
  }
  return fresh;
}
