/** The one ordered list of schema changes, for every Store implementation. Never edit a shipped entry. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "proposals",
    sql: `CREATE TABLE proposals (
      id TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      status TEXT NOT NULL,
      expires_at DOUBLE PRECISION,
      created_at DOUBLE PRECISION NOT NULL,
      data TEXT NOT NULL
    );
    CREATE INDEX proposals_pending_expiry ON proposals (status, expires_at);`,
  },
  {
    id: 2,
    name: "parent messages",
    sql: `CREATE TABLE parent_messages (
      channel TEXT NOT NULL,
      ts TEXT NOT NULL,
      message TEXT NOT NULL,
      PRIMARY KEY (channel, ts)
    );`,
  },
  {
    id: 3,
    name: "audit log",
    sql: `CREATE TABLE audit (
      seq INTEGER PRIMARY KEY,
      at DOUBLE PRECISION NOT NULL,
      kind TEXT NOT NULL,
      target TEXT,
      entry TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX audit_at ON audit (at);`,
  },
  {
    id: 4,
    name: "incidents and alert deduplication",
    sql: `CREATE TABLE incidents (
      id TEXT PRIMARY KEY,
      workload TEXT NOT NULL,
      channel TEXT NOT NULL,
      thread_ts TEXT NOT NULL,
      status TEXT NOT NULL,
      opened_at DOUBLE PRECISION NOT NULL,
      resolved_at DOUBLE PRECISION
    );
    CREATE UNIQUE INDEX incidents_one_open ON incidents (workload, channel) WHERE status = 'open';
    CREATE TABLE alerts_seen (
      fingerprint TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      status TEXT NOT NULL,
      seen_at DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (fingerprint, starts_at, status)
    );`,
  },
  {
    id: 5,
    name: "verification watches with leases",
    sql: `CREATE TABLE watches (
      proposal_id TEXT PRIMARY KEY,
      started_at DOUBLE PRECISION NOT NULL,
      window_seconds DOUBLE PRECISION NOT NULL,
      owner TEXT NOT NULL,
      lease_until DOUBLE PRECISION NOT NULL,
      status TEXT NOT NULL
    );
    CREATE INDEX watches_lease ON watches (status, lease_until);`,
  },
  {
    id: 6,
    name: "audit head",
    // The chain cannot see its own tail cut off: the head (last seq and hash) is kept in its own row,
    // written in the same transaction as every append, so deleting the newest entry is found too.
    sql: `CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
    INSERT INTO audit_head (id, seq, hash) SELECT 1, seq, hash FROM audit ORDER BY seq DESC LIMIT 1;`,
  },
  {
    id: 7,
    name: "proposals by workload",
    // A new request supersedes older pending ones for the same field; an approved one without an
    // outcome is reconciled after a crash. Both look proposals up by workload and status.
    sql: `ALTER TABLE proposals ADD COLUMN target TEXT;
    CREATE INDEX proposals_target_status ON proposals (target, status);`,
  },
  {
    id: 8,
    name: "audit entries by workload",
    // An incident's timeline is its workload's entries since it opened: read by index, not by loading
    // every entry of every workload since then.
    sql: `CREATE INDEX audit_target_at ON audit (target, at);`,
  },
  {
    id: 9,
    name: "signed requests seen",
    // A signed Slack request is executed once: its signature is remembered for as long as Bolt would
    // accept its timestamp, in the store, so a replay to another replica is refused too.
    sql: `CREATE TABLE requests_seen (signature TEXT PRIMARY KEY, until_at DOUBLE PRECISION NOT NULL);
    CREATE INDEX requests_seen_until ON requests_seen (until_at);`,
  },
  {
    id: 10,
    name: "fleet watch",
    // One replica scans the fleet (a named lease); one warning per workload and channel per episode,
    // kept while the episode lasts (the audit log keeps every warning for good).
    sql: `CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_at DOUBLE PRECISION NOT NULL);
    CREATE TABLE watch_warnings (
      subject TEXT NOT NULL,
      channel TEXT NOT NULL,
      warned_at DOUBLE PRECISION NOT NULL,
      thread_ts TEXT NOT NULL,
      PRIMARY KEY (subject, channel)
    );`,
  },
  {
    id: 11,
    name: "watch mutes",
    // Snooze (until a time, or until the workload's next rollout) and "not a problem", per workload and
    // channel, with who and why: they hold across restarts and replicas.
    sql: `CREATE TABLE watch_mutes (
      subject TEXT NOT NULL,
      channel TEXT NOT NULL,
      kind TEXT NOT NULL,
      until_at DOUBLE PRECISION,
      generation INTEGER,
      by_user TEXT NOT NULL,
      why TEXT NOT NULL,
      at DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (subject, channel)
    );`,
  },
  {
    id: 12,
    name: "fix re-checks",
    // Did the fix hold? Each executed remediation is looked at again a day and a week after it, by one
    // replica under a lease, once.
    sql: `CREATE TABLE fix_checks (
      proposal_id TEXT NOT NULL,
      after_seconds DOUBLE PRECISION NOT NULL,
      due_at DOUBLE PRECISION NOT NULL,
      status TEXT NOT NULL,
      owner TEXT NOT NULL,
      lease_until DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (proposal_id, after_seconds)
    );
    CREATE INDEX fix_checks_due ON fix_checks (status, due_at);`,
  },
  {
    id: 13,
    name: "heap profile comparisons",
    // The second profile a --compare promised in a thread: on record with the first one's functions, so a
    // restart during the wait does not lose it; one replica takes it under a lease, once.
    sql: `CREATE TABLE profile_compares (
      id TEXT PRIMARY KEY,
      due_at DOUBLE PRECISION NOT NULL,
      status TEXT NOT NULL,
      owner TEXT NOT NULL,
      lease_until DOUBLE PRECISION NOT NULL,
      data TEXT NOT NULL
    );
    CREATE INDEX profile_compares_due ON profile_compares (status, due_at);`,
  },
];
