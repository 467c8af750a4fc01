import type { UsageFindings, UsageRow } from "../../core/findings.ts";
import { keyOf } from "../../core/model.ts";
import { describeError, type StepContext, TOP } from "../step-context.ts";

async function currentUsage(
  ctx: StepContext,
): Promise<{ usage: Map<string, number> | null; source: UsageFindings["source"]; note?: string }> {
  let why = "Prometheus is not configured";
  if (ctx.metrics) {
    try {
      const usage = new Map<string, number>();
      for (const c of await ctx.memory()) {
        const last = c.workingSet[c.workingSet.length - 1];
        if (last && ctx.now - last.t <= 600) usage.set(keyOf(c), last.v);
      }
      return { usage, source: "prometheus" };
    } catch (e) {
      why = `Prometheus unavailable (${describeError(e)})`;
    }
  }
  const fromApi = await ctx.cluster.currentUsage(ctx.target.namespace);
  if (fromApi) return { usage: fromApi, source: "metrics-api", note: `${why}; current usage from metrics.k8s.io` };
  return {
    usage: null,
    source: "none",
    note: `${why}, and the cluster does not serve metrics.k8s.io: limits and requests only`,
  };
}

export async function usageVsLimit(ctx: StepContext): Promise<UsageFindings> {
  const warnRatio = ctx.runbook.thresholds.usageWarningPercent / 100;
  const { usage, source, note } = await currentUsage(ctx);
  const rows: UsageRow[] = [];
  for (const pod of ctx.target.pods) {
    for (const c of pod.containers) {
      const used = usage?.get(keyOf({ pod: pod.name, container: c.name })) ?? null;
      rows.push({
        pod: pod.name,
        container: c.name,
        usageBytes: used,
        requestBytes: c.requestBytes,
        limitBytes: c.limitBytes,
        ofLimit: used !== null && c.limitBytes ? used / c.limitBytes : null,
        ofRequest: used !== null && c.requestBytes ? used / c.requestBytes : null,
      });
    }
  }
  rows.sort((a, b) => (b.ofLimit ?? -1) - (a.ofLimit ?? -1) || (b.usageBytes ?? -1) - (a.usageBytes ?? -1));
  return {
    source,
    ...(note ? { sourceNote: note } : {}),
    rows: rows.slice(0, TOP),
    totalContainers: rows.length,
    overThreshold: rows.filter((r) => (r.ofLimit ?? 0) >= warnRatio).length,
    warnRatio,
  };
}
