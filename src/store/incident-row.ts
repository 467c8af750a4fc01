import type { FixCheck, Incident, Watch, WatchMute, WatchWarning } from "../ports.ts";
import { parseSubjectKey, subjectKey } from "../core/subject.ts";

export interface IncidentRow {
  id: string;
  workload: string;
  channel: string;
  thread_ts: string;
  status: string;
  opened_at: number;
  resolved_at: number | null;
}

/** A row of the incidents table as the port's type (both stores). */
export function incident(r: IncidentRow): Incident {
  return {
    id: r.id,
    subject: parseSubjectKey(r.workload),
    channel: r.channel,
    threadTs: r.thread_ts,
    status: r.status === "resolved" ? "resolved" : "open",
    openedAt: Number(r.opened_at),
    resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
  };
}

export interface WatchRow {
  proposal_id: string;
  started_at: number;
  window_seconds: number;
  owner: string;
  lease_until: number;
}

export function watch(r: WatchRow): Watch {
  return {
    proposalId: r.proposal_id,
    startedAt: Number(r.started_at),
    windowSeconds: Number(r.window_seconds),
    owner: r.owner,
    leaseUntil: Number(r.lease_until),
  };
}

export interface WarningRow {
  subject: string;
  channel: string;
  warned_at: number;
  thread_ts: string;
}

export function warning(r: WarningRow): WatchWarning {
  return {
    subject: parseSubjectKey(r.subject),
    channel: r.channel,
    warnedAt: Number(r.warned_at),
    threadTs: r.thread_ts,
  };
}

export interface MuteRow {
  subject: string;
  channel: string;
  kind: string;
  until_at: number | null;
  generation: number | null;
  by_user: string;
  why: string;
  at: number;
}

const MUTE_KINDS = ["snooze", "until-rollout", "not-a-problem"] as const;

export function mute(r: MuteRow): WatchMute {
  const kind = MUTE_KINDS.find((k) => k === r.kind);
  if (!kind) throw new Error(`watch_mutes: unknown kind "${r.kind}" for ${r.subject}`);
  return {
    subject: parseSubjectKey(r.subject),
    channel: r.channel,
    kind,
    until: r.until_at === null ? null : Number(r.until_at),
    generation: r.generation === null ? null : Number(r.generation),
    by: r.by_user,
    why: r.why,
    at: Number(r.at),
  };
}

export const muteParams = (m: WatchMute) =>
  [subjectKey(m.subject), m.channel, m.kind, m.until, m.generation, m.by, m.why, m.at] as const;

export interface FixCheckRow {
  proposal_id: string;
  after_seconds: number;
  due_at: number;
}

export const fixCheck = (r: FixCheckRow): FixCheck => ({
  proposalId: r.proposal_id,
  afterSeconds: Number(r.after_seconds),
  dueAt: Number(r.due_at),
});
