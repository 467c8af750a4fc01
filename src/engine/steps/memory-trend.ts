import { PortError, type ContainerMemory } from "../../ports.ts";
import { classify, type MemoryClass } from "../../core/classify.ts";
import type { TrendFindings, TrendRow } from "../../core/findings.ts";
import {
  type ContainerLimitChange,
  historyFromChanges,
  historyFromSeries,
  limitAt,
  type LimitStep,
} from "../../core/limit-history.ts";
import { keyOf, type Sample } from "../../core/model.ts";
import { containerSlot, podWorkload, slotParts, workloadFromPodName } from "../../core/pod-workload.ts";
import { type StepContext, TOP } from "../step-context.ts";

const ORDER: Record<MemoryClass, number> = { "oom-cycle": 0, leak: 1, "limit-too-low": 2, spike: 3, stable: 4 };

interface Spec {
  limit: number | null;
  request: number | null;
  oom: number;
  oomAt: number[];
}

/** The specs of the live pods' containers, with the OOM kill their status shows in the window. */
function liveSpecs(ctx: StepContext): Map<string, Spec> {
  const specs = new Map<string, Spec>();
  for (const p of ctx.target.pods) {
    for (const c of p.containers) {
      const st = p.statuses.find((s) => s.name === c.name);
      const last = st?.lastTerminated;
      const oomInWindow = last?.reason === "OOMKilled" && (last.finishedAt ?? 0) >= ctx.now - ctx.windowSeconds;
      specs.set(keyOf({ pod: p.name, container: c.name }), {
        limit: c.limitBytes,
        request: c.requestBytes,
        oom: oomInWindow ? Math.max(1, st?.restartCount ?? 1) : 0,
        oomAt: oomInWindow && last.finishedAt !== null ? [last.finishedAt] : [],
      });
    }
  }
  return specs;
}

/**
 * Each workload container's limit over the window: from kube-state-metrics' per-pod limit series when
 * Prometheus has them, else reconstructed from the current limit and the changes memops made (those are
 * the target workload's own).
 */
function limitHistories(
  ctx: StepContext,
  series: readonly ContainerMemory[],
  workloadOf: (pod: string) => string,
  executed: readonly ContainerLimitChange[],
): Map<string, LimitStep[]> {
  const start = ctx.now - ctx.windowSeconds;
  const current = new Map<string, number | null>();
  for (const p of ctx.target.pods)
    for (const c of p.containers) current.set(containerSlot(workloadOf(p.name), c.name), c.limitBytes);
  // each slot's reported limit series, grouped in one pass (a namespace has thousands of series)
  const reported = new Map<string, Sample[][]>();
  for (const c of series) {
    const key = containerSlot(workloadOf(c.pod), c.container);
    const list = reported.get(key) ?? [];
    if (c.limit.length > 0) list.push(c.limit);
    reported.set(key, list);
  }
  const mine = ctx.target.workload ? `${ctx.target.workload.kind}/${ctx.target.workload.name}` : null;
  const out = new Map<string, LimitStep[]>();
  for (const key of new Set([...current.keys(), ...reported.keys()])) {
    const { workload, container: name } = slotParts(key);
    const limits = reported.get(key) ?? [];
    const changes = executed.filter((c) => c.container === name && workload === mine).sort((a, b) => a.at - b.at);
    // the last change memops made is the workload's limit now (pods not yet replaced may still show the old one)
    const last = changes.at(-1);
    const now = last ? last.to : (current.get(key) ?? null);
    out.set(key, limits.length > 0 ? historyFromSeries(limits) : historyFromChanges(now, changes, start));
  }
  return out;
}

export async function memoryTrend(ctx: StepContext): Promise<TrendFindings> {
  if (!ctx.metrics)
    throw new PortError(
      "prometheus",
      "unavailable",
      "Prometheus is not configured (set PROMETHEUS_URL): no history to read a trend from",
    );
  const series = await ctx.memory();
  const specs = liveSpecs(ctx);
  const workloads = new Map(ctx.target.pods.map((p) => [p.name, podWorkload(p)]));
  const workloadOf = (pod: string) => workloads.get(pod) ?? workloadFromPodName(pod);
  const requests = new Map<string, number | null>();
  for (const p of ctx.target.pods)
    for (const c of p.containers) requests.set(containerSlot(workloadOf(p.name), c.name), c.requestBytes);
  const histories = limitHistories(ctx, series, workloadOf, await ctx.limitChanges());
  const rows: TrendRow[] = series
    .filter((c) => c.workingSet.length > 0)
    .map((c) => {
      const workload = workloadOf(c.pod);
      const limits = histories.get(containerSlot(workload, c.container)) ?? [];
      // A pod replaced during the window has no spec any more: its limit is the one it reported last,
      // else the workload's when it ended.
      const end = c.workingSet[c.workingSet.length - 1]?.t ?? ctx.now;
      const spec = specs.get(keyOf(c)) ?? {
        limit: c.limit.at(-1)?.v ?? limitAt(limits, end),
        request: requests.get(containerSlot(workload, c.container)) ?? null,
        oom: 0,
        oomAt: [],
      };
      return {
        pod: c.pod,
        container: c.container,
        workload,
        limitBytes: spec.limit,
        requestBytes: spec.request,
        limits,
        series: c.workingSet,
        analysis: classify({
          series: c.workingSet,
          limitBytes: spec.limit,
          limits,
          rss: c.rss,
          restarts: c.restarts,
          oomKills: spec.oom,
          oomAt: spec.oomAt,
          now: ctx.now,
        }),
      };
    });
  rows.sort(
    (a, b) =>
      ORDER[a.analysis.classification] - ORDER[b.analysis.classification] ||
      b.analysis.peakBytes / (b.limitBytes ?? Infinity) - a.analysis.peakBytes / (a.limitBytes ?? Infinity),
  );
  return {
    windowStart: ctx.now - ctx.windowSeconds,
    windowEnd: ctx.now,
    rows: rows.slice(0, TOP),
    totalContainers: rows.length,
  };
}
