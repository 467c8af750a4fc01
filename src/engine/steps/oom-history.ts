import { redactSecrets } from "../../core/redact.ts";
import type { EventRow, OomFindings, OomRow } from "../../core/findings.ts";
import type { ClusterEvent } from "../../core/model.ts";
import { type StepContext, TOP } from "../step-context.ts";

const INTERESTING = /OOM|BackOff|Evicted|Preempt/i;
const PER_POD_EVENT_QUERIES = 10;

function rowsOf(ctx: StepContext): OomRow[] {
  const rows: OomRow[] = [];
  for (const pod of ctx.target.pods) {
    for (const s of pod.statuses) {
      const last = s.lastTerminated;
      // A container whose current state is an OOM termination counts too; any other reason is not an OOM kill.
      const oomNow = s.terminated?.reason === "OOMKilled";
      const oomKilled = last?.reason === "OOMKilled" || oomNow;
      const crashLoop = s.waitingReason === "CrashLoopBackOff";
      if (s.restartCount === 0 && !oomKilled && !crashLoop && !s.waitingReason) continue;
      const t = oomNow ? s.terminated : last;
      rows.push({
        pod: pod.name,
        container: s.name,
        restartCount: s.restartCount,
        oomKilled,
        lastReason: t?.reason ?? null,
        lastExitCode: t?.exitCode ?? null,
        lastFinishedAt: t?.finishedAt ?? null,
        crashLoop,
        waitingReason: s.waitingReason,
      });
    }
  }
  return rows.sort(
    (a, b) =>
      Number(b.oomKilled) - Number(a.oomKilled) ||
      (b.lastFinishedAt ?? 0) - (a.lastFinishedAt ?? 0) ||
      b.restartCount - a.restartCount,
  );
}

/** "…; pod search-7d9c-x2x9q" names a pod: is it one that is not the target's (now or earlier in the window)? */
function namesAnotherPod(message: string, ours: ReadonlySet<string>, pattern: string | null): boolean {
  const named = /\bpod[ =:]+"?([a-z0-9][a-z0-9.-]*)/i.exec(message)?.[1];
  if (!named || ours.has(named)) return false;
  return pattern === null ? false : !new RegExp(`^(?:${pattern})$`).test(named);
}

async function events(ctx: StepContext): Promise<ClusterEvent[]> {
  const { cluster, target } = ctx;
  const names = new Set(target.pods.map((p) => p.name));
  const podEvents =
    target.pods.length <= PER_POD_EVENT_QUERIES
      ? (
          await Promise.all(
            target.pods.map((p) =>
              cluster.listEvents(target.namespace, `involvedObject.kind=Pod,involvedObject.name=${p.name}`, 200),
            ),
          )
        ).flat()
      : (await cluster.listEvents(target.namespace, "involvedObject.kind=Pod", 2000)).filter((e) =>
          names.has(e.involvedName),
        );
  const nodes = [...new Set(target.pods.map((p) => p.nodeName).filter((n): n is string => !!n))].slice(
    0,
    PER_POD_EVENT_QUERIES,
  );
  const nodeEvents = (
    await Promise.all(
      nodes.map((n) => cluster.listEvents(null, `involvedObject.kind=Node,involvedObject.name=${n}`, 200)),
    )
  )
    .flat()
    // A node OOM event names the process and often the pod: one that names another pod is not ours.
    .filter((e) => /oom/i.test(e.reason) && !namesAnotherPod(e.message, names, target.podPattern));
  return [...podEvents, ...nodeEvents].filter((e) => INTERESTING.test(e.reason));
}

export async function oomHistory(ctx: StepContext): Promise<OomFindings> {
  const rows = rowsOf(ctx);
  const evs: EventRow[] = (await events(ctx))
    .sort((a, b) => (b.lastSeen ?? 0) - (a.lastSeen ?? 0))
    .map((e) => ({
      reason: e.reason,
      message: redactSecrets(e.message).slice(0, 300),
      object: `${e.involvedKind}/${e.involvedName}`,
      count: e.count,
      lastSeen: e.lastSeen,
    }));
  return {
    rows: rows.slice(0, TOP),
    totalRestarts: rows.reduce((n, r) => n + r.restartCount, 0),
    oomKilledContainers: rows.filter((r) => r.oomKilled).length,
    crashLooping: rows.filter((r) => r.crashLoop).length,
    events: evs.slice(0, TOP),
    podsScanned: ctx.target.pods.length,
  };
}
