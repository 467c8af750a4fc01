import { REMEDIATIONS } from "../core/runbook.ts";
/**
 * What the stores read back is parsed, not cast: each stored JSON shape has a schema per version. A row
 * carries its version in `v` (absent: 1, every row written so far); a change of shape adds a version and
 * an upgrade from the one before, so old rows keep reading. A row that fits no version is an error that
 * names the table and the row, never a half-read object.
 */
import * as v from "valibot";
import { AUDIT_KINDS, type AuditEntry, type AuditEvent } from "../core/audit.ts";
import { PROPOSAL_STATUSES, type Proposal } from "../core/remediation/proposal.ts";
import { issueLines } from "../core/schema-issues.ts";
import type { ChatMessage, ProfileCompare } from "../ports.ts";
import { parseSubjectKey, type Subject, subjectKey } from "../core/subject.ts";

const text = v.string();
const maybeText = v.nullable(v.string());
const json = v.record(v.string(), v.unknown());
const int = v.pipe(v.number(), v.integer());

const auditEventV1 = v.object({
  at: v.number(),
  kind: v.picklist(AUDIT_KINDS),
  slackUser: maybeText,
  kubernetesIdentity: maybeText,
  target: maybeText,
  what: text,
  outcome: text,
  details: json,
});

const chatMessageV1 = v.object({ text, blocks: v.array(json) });

/** The fields execution and its invariants depend on are checked strictly; the rest is memops's own JSON. */
const proposalV1 = v.looseObject({
  id: v.pipe(v.string(), v.minLength(1)),
  version: v.pipe(v.number(), v.integer(), v.minValue(0)),
  status: v.picklist(PROPOSAL_STATUSES),
  plan: v.looseObject({
    action: v.picklist(REMEDIATIONS),
    target: v.object({
      kind: v.picklist(["deployment", "statefulset", "daemonset"]),
      name: text,
      namespace: text,
    }),
    container: maybeText,
    ops: v.array(v.looseObject({ op: v.picklist(["add", "remove", "replace", "move", "copy", "test"]), path: text })),
    changes: v.array(v.object({ path: text, before: text, after: text })),
    summary: text,
  }),
  channel: text,
  threadTs: maybeText,
  cardTs: maybeText,
  requester: maybeText,
  approvals: v.array(v.object({ user: text, at: v.number() })),
  route: v.looseObject({ kind: v.picklist(["live", "helm-release", "git", "autoscaler"]) }),
  createdAt: v.number(),
});

const profileCompareV1 = v.looseObject({
  id: v.pipe(v.string(), v.minLength(1)),
  dueAt: v.number(),
  subject: text,
  channel: text,
  threadTs: text,
  user: text,
  namespace: text,
  pod: text,
  podReason: text,
  port: int,
  path: text,
  compareSeconds: v.number(),
  first: v.object({
    sampleType: text,
    totalBytes: v.number(),
    takenAt: v.nullable(v.number()),
    functions: v.array(v.object({ name: text, flat: v.number(), cum: v.number() })),
  }),
});

const SCHEMAS = {
  audit: { 1: auditEventV1 },
  parent: { 1: chatMessageV1 },
  proposal: { 1: proposalV1 },
  profile_compare: { 1: profileCompareV1 },
} as const;

export class UnreadableRow extends Error {}

function read(table: keyof typeof SCHEMAS, json: string, where: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new UnreadableRow(`${table} row ${where} is not JSON`);
  }
  const version = (value as { v?: unknown } | null)?.v ?? 1;
  const id = (value as { id?: unknown } | null)?.id;
  where ||= typeof id === "string" ? id : "?";
  const schema = (SCHEMAS[table] as Record<number, v.GenericSchema | undefined>)[Number(version)];
  if (!schema)
    throw new UnreadableRow(
      `${table} row ${where} has version ${JSON.stringify(version)}, which this memops cannot read`,
    );
  const parsed = v.safeParse(schema, value);
  if (!parsed.success)
    throw new UnreadableRow(
      `${table} row ${where} is not a ${table} memops can read: ${issueLines(parsed.issues.slice(0, 3), "(row)").join("; ")}`,
    );
  return parsed.output;
}

// The schemas check what the code relies on; the types say the rest, as memops wrote it.
export const readProposal = (json: string, id: string): Proposal => read("proposal", json, id) as Proposal;
export const readParent = (json: string, where: string): ChatMessage => read("parent", json, where) as ChatMessage;

/** A comparison's subject is stored as its key. */
export const profileCompareJson = (c: ProfileCompare): string =>
  JSON.stringify({ ...c, subject: subjectKey(c.subject) });
export function readProfileCompare(json: string, id: string): ProfileCompare {
  const row = read("profile_compare", json, id) as Omit<ProfileCompare, "subject"> & { subject: string };
  return { ...row, subject: parseSubjectKey(row.subject) };
}

/** An audit entry's subject is stored (and indexed) as its key, the same text its hash covers. */
export function readAuditEvent(json: string, seq: number): AuditEvent {
  const row = read("audit", json, `#${seq}`) as Omit<AuditEvent, "target"> & { target: string | null };
  return { ...row, target: row.target === null ? null : parseSubjectKey(row.target) };
}

export const subjectColumn = (s: Subject | null): string | null => (s ? subjectKey(s) : null);

export interface AuditRow {
  seq: number | string;
  at: number | string;
  kind: string;
  target: string | null;
  entry: string;
  prev_hash: string;
  hash: string;
}

/**
 * An audit row as an entry. The columns the stores filter on (`at`, `kind`, `target`) are what the entry
 * says and what its hash is checked against: a row whose `at` was set to 0 to hide it from `--since`
 * no longer matches its hash. The JSON copy carries the rest.
 */
export function auditEntryOf(r: AuditRow): AuditEntry {
  const seq = Number(r.seq);
  return {
    ...readAuditEvent(r.entry, seq),
    at: Number(r.at),
    kind: r.kind as AuditEntry["kind"],
    target: r.target === null ? null : parseSubjectKey(r.target),
    seq,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export const auditJson = (e: AuditEvent): string => JSON.stringify({ ...e, target: subjectColumn(e.target) });
