import type { RuntimeFindings } from "../../core/findings.ts";
import { RUNTIME_METRICS, runtimeRows } from "../../core/runtime-breakdown.ts";
import { podWorkingSets, stepOf } from "./pod-series.ts";
import { metricsOf, type StepContext } from "../step-context.ts";

/** The pods' runtime metrics over the window, one query; the working set from the shared memory query. */
export async function runtime(ctx: StepContext): Promise<RuntimeFindings> {
  const metrics = metricsOf(ctx);
  const pods = JSON.stringify(ctx.target.podPattern ?? ".+");
  const ns = JSON.stringify(ctx.target.namespace);
  const series = await metrics.range(`{__name__=~"${RUNTIME_METRICS.join("|")}",namespace=${ns},pod=~${pods}}`, {
    start: ctx.now - ctx.windowSeconds,
    end: ctx.now,
    stepSeconds: stepOf(ctx.windowSeconds),
    maxSeries: 500,
  });
  const memory = podWorkingSets(await ctx.memory());
  return {
    rows: runtimeRows(
      series.map((s) => ({ metric: s.labels["__name__"] ?? "", labels: s.labels, points: s.points })),
      memory,
    ),
  };
}
