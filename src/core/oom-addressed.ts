/**
 * Whether a container's OOM kills predate a raise of its limit: then the kills are history the report
 * keeps (they happened, at the old limit), and what is left is to watch that the new limit holds, not to
 * raise again or to offer the same raise twice.
 */
import { sectionData, type Section } from "./findings.ts";
import { type LimitChange, raisedAfter } from "./limit-history.ts";

/** The last OOM kill of a container (of any, without one) the report knows of (pod status or trend), Unix seconds. */
export function lastOomKill(sections: readonly Section[], container?: string): number | null {
  const oom = sectionData(sections, "oom-history");
  const trend = sectionData(sections, "memory-trend");
  const times = [
    ...(oom?.rows ?? []).flatMap((r) =>
      (container === undefined || r.container === container) && r.oomKilled && r.lastFinishedAt !== null
        ? [r.lastFinishedAt]
        : [],
    ),
    ...(trend?.rows ?? []).flatMap((r) =>
      container === undefined || r.container === container ? r.analysis.oomKillTimes : [],
    ),
  ];
  return times.length > 0 ? Math.max(...times) : null;
}

/** The raise of the container's limit (in `workload`, for a namespace's report) after its last OOM kill, if any. */
export function raisedSinceOom(sections: readonly Section[], container: string, workload?: string): LimitChange | null {
  const last = lastOomKill(sections, container);
  const history = sectionData(sections, "memory-trend")?.rows.find(
    (r) => r.container === container && (workload === undefined || r.workload === workload),
  )?.limits;
  return last === null || !history ? null : raisedAfter(history, last);
}
