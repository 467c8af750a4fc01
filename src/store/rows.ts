import { REMEDIATIONS } from "../core/runbook.ts";
/**
 * What the stores read back is parsed, not cast: each stored JSON shape has a schema per version. A row
 * carries its version in `v` (absent: 1, every row written so far); a change of shape adds a version and
 * an upgrade from the one before, so old rows keep reading. A row that fits no version is an error that
 * names the table and the row, never a half-read object.
 */
import { z } from "zod";
import { AUDIT_KINDS, type AuditEntry, type AuditEvent } from "../core/audit.ts";
import { PROPOSAL_STATUSES, type Proposal } from "../core/remediation/proposal.ts";
import type { ChatMessage, ProfileCompare } from "../ports.ts";
import { parseSubjectKey, type Subject, subjectKey } from "../core/subject.ts";

const auditEventV1 = z.object({
  at: z.number(),
  kind: z.enum(AUDIT_KINDS),
  slackUser: z.string().nullable(),
  kubernetesIdentity: z.string().nullable(),
  target: z.string().nullable(),
  what: z.string(),
  outcome: z.string(),
  details: z.record(z.string(), z.unknown()),
});

const chatMessageV1 = z.object({ text: z.string(), blocks: z.array(z.record(z.string(), z.unknown())) });

/** The fields execution and its invariants depend on are checked strictly; the rest is memops's own JSON. */
const proposalV1 = z.looseObject({
  id: z.string().min(1),
  version: z.number().int().nonnegative(),
  status: z.enum(PROPOSAL_STATUSES),
  plan: z.looseObject({
    action: z.enum(REMEDIATIONS),
    target: z.object({
      kind: z.enum(["deployment", "statefulset", "daemonset"]),
      name: z.string(),
      namespace: z.string(),
    }),
    container: z.string().nullable(),
    ops: z.array(z.looseObject({ op: z.enum(["add", "remove", "replace", "move", "copy", "test"]), path: z.string() })),
    changes: z.array(z.object({ path: z.string(), before: z.string(), after: z.string() })),
    summary: z.string(),
  }),
  channel: z.string(),
  threadTs: z.string().nullable(),
  cardTs: z.string().nullable(),
  requester: z.string().nullable(),
  approvals: z.array(z.object({ user: z.string(), at: z.number() })),
  route: z.looseObject({ kind: z.enum(["live", "helm-release", "git", "autoscaler"]) }),
  createdAt: z.number(),
});

const profileCompareV1 = z.looseObject({
  id: z.string().min(1),
  dueAt: z.number(),
  subject: z.string(),
  channel: z.string(),
  threadTs: z.string(),
  user: z.string(),
  namespace: z.string(),
  pod: z.string(),
  podReason: z.string(),
  port: z.number().int(),
  path: z.string(),
  compareSeconds: z.number(),
  first: z.object({
    sampleType: z.string(),
    totalBytes: z.number(),
    takenAt: z.number().nullable(),
    functions: z.array(z.object({ name: z.string(), flat: z.number(), cum: z.number() })),
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
  const v = (value as { v?: unknown } | null)?.v ?? 1;
  const id = (value as { id?: unknown } | null)?.id;
  where ||= typeof id === "string" ? id : "?";
  const schema = (SCHEMAS[table] as Record<number, z.ZodType | undefined>)[Number(v)];
  if (!schema)
    throw new UnreadableRow(`${table} row ${where} has version ${JSON.stringify(v)}, which this memops cannot read`);
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new UnreadableRow(
      `${table} row ${where} is not a ${table} memops can read: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".") || "(row)"} ${i.message}`)
        .join("; ")}`,
    );
  return parsed.data;
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
