/** The audit log's hash chain: pure functions over entries; the Store only keeps them. */
import { type AuditKey, type AuditKeyring, digest, isKeyed, keyOf, NO_KEYS } from "./audit-key.ts";
import { type Subject, subjectKey } from "./subject.ts";

/** `intent`: a mutation about to be sent (before the API call); `mutation`: its outcome; after a crash, the outcome observed on the cluster */
export const AUDIT_KINDS = [
  "command",
  "diagnosis",
  "request",
  "approval",
  "denial",
  "expiry",
  "supersession",
  "intent",
  "mutation",
  "verification",
  "escalation",
  "alert",
  "incident",
  "watch",
  "profile",
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEvent {
  /** Unix seconds */
  at: number;
  kind: AuditKind;
  slackUser: string | null;
  /** the Kubernetes identity the action used or was checked against */
  kubernetesIdentity: string | null;
  /** what the entry is about; hashed (and stored, and shown) as its key, "deployment/api -n shop" */
  target: Subject | null;
  what: string;
  /** "ok", or "refused: …" / "failed: …" */
  outcome: string;
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS = "0".repeat(64);

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(",")}}`;
}

/** Every field of an entry, the ones stores filter on (`at`, `target`, `kind`) included, in the hash. */
export function entryHash(prevHash: string, seq: number, e: AuditEvent, key: AuditKey | null = null): string {
  const { at, kind, slackUser, kubernetesIdentity, what, outcome, details } = e;
  const target = e.target ? subjectKey(e.target) : null;
  return digest(
    `${prevHash}\n${canonical({ seq, at, kind, slackUser, kubernetesIdentity, target, what, outcome, details })}`,
    key,
  );
}

/** The next entry after `last` (or the first one), keyed when a key is given. */
export function chain(
  last: Pick<AuditEntry, "seq" | "hash"> | null,
  e: AuditEvent,
  key: AuditKey | null = null,
): AuditEntry {
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS;
  return { ...e, seq, prevHash, hash: entryHash(prevHash, seq, e, key) };
}

/** (seq, hash) of an entry as published outside the database (the log stream, a channel): a witness. */
export interface WitnessedHead {
  seq: number;
  hash: string;
}

/** "12:hmac-sha256:1a2b3c4d:…" or "12:abc…" as `memops audit verify --witness` takes it. */
export function parseWitness(text: string): WitnessedHead | null {
  const m = /^(\d+):((?:hmac-sha256:[0-9a-f]{8}:)?[0-9a-f]{64})$/.exec(text.trim());
  return m ? { seq: Number(m[1]), hash: m[2]! } : null;
}

export type ChainCheck = { ok: true; entries: number } | { ok: false; seq: number; reason: string };

/** Entries the log stream saw must still be there, unchanged: truncation and rewrites show against them. */
function checkWitnesses(entries: readonly AuditEntry[], witnesses: readonly WitnessedHead[]): ChainCheck | null {
  const last = entries.at(-1)?.seq ?? 0;
  for (const w of [...witnesses].sort((a, b) => b.seq - a.seq)) {
    if (w.seq > last)
      return {
        ok: false,
        seq: w.seq,
        reason: `entry ${w.seq} was witnessed (hash ${w.hash.slice(-16)}) but the log ends at entry ${last}: entries were deleted`,
      };
    const e = entries.find((x) => x.seq === w.seq);
    if (e?.hash !== w.hash)
      return {
        ok: false,
        seq: w.seq,
        reason: `entry ${w.seq} is not the entry that was witnessed: the log was rewritten`,
      };
  }
  return null;
}

/** How many entries are keyed (HMAC) and how many only hash-chained (written before a key was set). */
export const keyedCount = (entries: readonly AuditEntry[]): { keyed: number; unkeyed: number } => {
  const keyed = entries.filter((e) => isKeyed(e.hash)).length;
  return { keyed, unkeyed: entries.length - keyed };
};

/** Why `e` does not fit after `prev` (null when it does). `keyedSeen`: a keyed entry came before. */
function entryProblem(e: AuditEntry, prev: AuditEntry | null, keys: AuditKeyring, keyedSeen: boolean): string | null {
  const expectedSeq = (prev?.seq ?? 0) + 1;
  if (e.seq !== expectedSeq)
    return e.seq > expectedSeq
      ? `entry ${expectedSeq} is missing (entry ${prev?.seq ?? 0} is followed by ${e.seq})`
      : `entry ${e.seq} is out of order (expected ${expectedSeq})`;
  if (e.prevHash !== (prev?.hash ?? GENESIS))
    return `entry ${e.seq} does not follow entry ${prev?.seq ?? 0} (previous hash differs): reordered or replaced`;
  const key = keyOf(e.hash, keys);
  if (key === "unknown")
    return `entry ${e.seq} is keyed with key ${e.hash.split(":")[1]}, which is not configured (MEMOPS_AUDIT_KEY, MEMOPS_AUDIT_PREVIOUS_KEYS)`;
  if (key === null && keyedSeen)
    return `entry ${e.seq} is not keyed but follows keyed entries: rewritten by someone without the key`;
  if (entryHash(e.prevHash, e.seq, e, key) !== e.hash) return `entry ${e.seq} does not match its hash: edited`;
  return null;
}

/** The head recorded in the database must be the log's last entry: cutting entries off the end shows. */
function headProblem(last: AuditEntry | null, head: { seq: number; hash: string } | null): ChainCheck | null {
  const lastSeq = last?.seq ?? 0;
  if (head === null ? lastSeq !== 0 : head.seq !== lastSeq)
    return {
      ok: false,
      seq: Math.max(lastSeq, head?.seq ?? 0),
      reason:
        head && head.seq > lastSeq
          ? `the log ends at entry ${lastSeq}, but entry ${head.seq} was written: entries were deleted from the end`
          : `the recorded head (entry ${head?.seq ?? 0}) does not match the log's last entry ${lastSeq}`,
    };
  if (head && last && head.hash !== last.hash)
    return { ok: false, seq: last.seq, reason: `entry ${last.seq} is not the entry recorded as the head: replaced` };
  return null;
}

/**
 * Checks the whole chain in order and names the first entry that does not fit; with the recorded
 * head, also that nothing was cut off the end; with witnessed heads, that nothing witnessed is gone.
 */
export function verifyChain(
  entries: readonly AuditEntry[],
  head?: { seq: number; hash: string } | null,
  o: { keys?: AuditKeyring; witnesses?: readonly WitnessedHead[] } = {},
): ChainCheck {
  const keys = o.keys ?? NO_KEYS;
  let prev: AuditEntry | null = null;
  let keyedSeen = false;
  for (const e of entries) {
    const problem = entryProblem(e, prev, keys, keyedSeen);
    if (problem) return { ok: false, seq: e.seq, reason: problem };
    keyedSeen ||= isKeyed(e.hash);
    prev = e;
  }
  const witnessed = checkWitnesses(entries, o.witnesses ?? []);
  if (witnessed) return witnessed;
  const cut = head === undefined ? null : headProblem(prev, head);
  return cut ?? { ok: true, entries: entries.length };
}
