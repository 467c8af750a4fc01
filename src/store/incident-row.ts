import type { Incident } from "../ports.ts";

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
  return { id: r.id, workload: r.workload, channel: r.channel, threadTs: r.thread_ts, status: r.status === "resolved" ? "resolved" : "open", openedAt: Number(r.opened_at), resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at) };
}
