import { PortError } from "../../ports.ts";
import { classify, type MemoryClass } from "../../core/classify.ts";
import type { TrendFindings, TrendRow } from "../../core/findings.ts";
import { keyOf } from "../../core/model.ts";
import { podWorkload, workloadFromPodName } from "../../core/pod-workload.ts";
import { type StepContext, TOP } from "../step-context.ts";

const ORDER: Record<MemoryClass, number> = { "oom-cycle": 0, leak: 1, "limit-too-low": 2, spike: 3, stable: 4 };

export async function memoryTrend(ctx: StepContext): Promise<TrendFindings> {
  if (!ctx.metrics)
    throw new PortError(
      "prometheus",
      "unavailable",
      "Prometheus is not configured (set PROMETHEUS_URL): no history to read a trend from",
    );
  const series = await ctx.memory();
  const specs = new Map<string, { limit: number | null; request: number | null; oom: number; oomAt: number[] }>();
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
  // Pods replaced during the window have no spec any more; they take the limit of a sibling container of the same name.
  const byContainer = new Map<string, { limit: number | null; request: number | null }>();
  for (const p of ctx.target.pods)
    for (const c of p.containers) byContainer.set(c.name, { limit: c.limitBytes, request: c.requestBytes });
  const workloads = new Map(ctx.target.pods.map((p) => [p.name, podWorkload(p)]));
  const rows: TrendRow[] = series
    .filter((c) => c.workingSet.length > 0)
    .map((c) => {
      const spec = specs.get(keyOf(c)) ?? {
        ...(byContainer.get(c.container) ?? { limit: null, request: null }),
        oom: 0,
        oomAt: [],
      };
      return {
        pod: c.pod,
        container: c.container,
        workload: workloads.get(c.pod) ?? workloadFromPodName(c.pod),
        limitBytes: spec.limit,
        requestBytes: spec.request,
        series: c.workingSet,
        analysis: classify({
          series: c.workingSet,
          limitBytes: spec.limit,
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
