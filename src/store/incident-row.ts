import type { Incident, Watch, WatchWarning } from "../ports.ts";
import { parseSubjectKey } from "../core/subject.ts";

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
