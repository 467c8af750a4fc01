/**
 * Did the fix hold? A day and a week after an executed remediation: no OOM kill since it, no restart
 * since it, memory under 80% of the limit now. Unknown memory is said and does not pass.
 */
import { formatDuration } from "../../core/duration.ts";
import type { Pod } from "../../core/model.ts";
import type { Proposal } from "../../core/remediation/proposal.ts";
import type { Clock, Cluster, MemoryMetrics } from "../../ports.ts";
import { resolveTarget } from "../resolve-target.ts";
import { memoryNow } from "./verify.ts";

export interface Recheck {
  held: boolean;
  lines: string[];
}

/** Restarts since `since`: all of a pod's when it was created after it, else one per container that ended since. */
function restartsSince(pods: readonly Pod[], since: number): number {
  return pods.reduce(
    (n, p) =>
      n +
      p.statuses.reduce(
        (m, s) =>
          m +
          (p.createdAt !== null && p.createdAt >= since
            ? s.restartCount
            : (s.lastTerminated?.finishedAt ?? 0) >= since && s.restartCount > 0
              ? 1
              : 0),
        0,
      ),
    0,
  );
}

export async function recheckFix(
  d: { cluster: Cluster; metrics: MemoryMetrics | null; clock: Clock },
  p: Proposal,
): Promise<Recheck> {
  const t = p.plan.target;
  const since = p.decidedAt ?? p.createdAt;
  const now = d.clock.now();
  const w = await d.cluster.getWorkload(t.namespace, t.kind, t.name);
  if (!w) return { held: false, lines: [`${t.kind}/${t.name} no longer exists`] };
  const r = await resolveTarget(d.cluster, { kind: t.kind, name: t.name, namespace: t.namespace });
  const pods = r.ok ? r.value.pods : [];
  const kills = pods.flatMap((pod) =>
    pod.statuses
      .filter((s) => s.lastTerminated?.reason === "OOMKilled" && (s.lastTerminated.finishedAt ?? 0) >= since)
      .map((s) => `${pod.name}/${s.name}`),
  );
  const restarts = restartsSince(pods, since);
  const memory = await memoryNow(d, w, pods, t.namespace, now);
  const age = formatDuration(now - since);
  return {
    held: kills.length === 0 && restarts === 0 && memory.ok,
    lines: [
      kills.length === 0
        ? `no OOM kill in the ${age} since the change`
        : `${kills.length} OOM kill${kills.length === 1 ? "" : "s"} since the change (${kills.slice(0, 3).join(", ")})`,
      restarts === 0 ? "no restarts since" : `${restarts} restart${restarts === 1 ? "" : "s"} since`,
      memory.line,
    ],
  };
}
