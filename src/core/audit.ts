/** The audit log's hash chain: pure functions over entries; the Store only keeps them. */
import { createHash } from "node:crypto";
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

export function entryHash(prevHash: string, seq: number, e: AuditEvent): string {
  const { at, kind, slackUser, kubernetesIdentity, what, outcome, details } = e;
  const target = e.target ? subjectKey(e.target) : null;
  return createHash("sha256")
    .update(
      `${prevHash}\n${canonical({ seq, at, kind, slackUser, kubernetesIdentity, target, what, outcome, details })}`,
    )
    .digest("hex");
}

/** The next entry after `last` (or the first one). */
export function chain(last: Pick<AuditEntry, "seq" | "hash"> | null, e: AuditEvent): AuditEntry {
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS;
  return { ...e, seq, prevHash, hash: entryHash(prevHash, seq, e) };
}

export type ChainCheck = { ok: true; entries: number } | { ok: false; seq: number; reason: string };

/**
 * Checks the whole chain in order and names the first entry that does not fit; with the recorded
 * head, also that nothing was cut off the end.
 */
export function verifyChain(entries: readonly AuditEntry[], head?: { seq: number; hash: string } | null): ChainCheck {
  let prev: AuditEntry | null = null;
  for (const e of entries) {
    const expectedSeq = (prev?.seq ?? 0) + 1;
    if (e.seq !== expectedSeq) {
      return {
        ok: false,
        seq: e.seq,
        reason:
          e.seq > expectedSeq
            ? `entry ${expectedSeq} is missing (entry ${prev?.seq ?? 0} is followed by ${e.seq})`
            : `entry ${e.seq} is out of order (expected ${expectedSeq})`,
      };
    }
    if (e.prevHash !== (prev?.hash ?? GENESIS))
      return {
        ok: false,
        seq: e.seq,
        reason: `entry ${e.seq} does not follow entry ${prev?.seq ?? 0} (previous hash differs): reordered or replaced`,
      };
    if (entryHash(e.prevHash, e.seq, e) !== e.hash)
      return { ok: false, seq: e.seq, reason: `entry ${e.seq} does not match its hash: edited` };
    prev = e;
  }
  if (head !== undefined) {
    const lastSeq = prev?.seq ?? 0;
    if (head === null ? lastSeq !== 0 : head.seq !== lastSeq) {
      return {
        ok: false,
        seq: Math.max(lastSeq, head?.seq ?? 0),
        reason:
          head && head.seq > lastSeq
            ? `the log ends at entry ${lastSeq}, but entry ${head.seq} was written: entries were deleted from the end`
            : `the recorded head (entry ${head?.seq ?? 0}) does not match the log's last entry ${lastSeq}`,
      };
    }
    if (head && prev && head.hash !== prev.hash)
      return { ok: false, seq: prev.seq, reason: `entry ${prev.seq} is not the entry recorded as the head: replaced` };
  }
  return { ok: true, entries: entries.length };
}
