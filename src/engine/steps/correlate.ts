import { type CandidateSeries, followers, CORRELATE_DEFAULTS, isCandidateMetric } from "../../core/correlate.ts";
import type { CorrelateFindings } from "../../core/findings.ts";
import type { RunbookStep } from "../../core/runbook.ts";
import { PortError } from "../../ports.ts";
import { metricsOf, type StepContext } from "../step-context.ts";
import { growingPod, podWorkingSets } from "./pod-series.ts";

/**
 * The pod whose working set grew the most, and its own series from Prometheus (one query, bounded:
 * more than `maxSeries` is said, not read), compared with its memory.
 */
export async function correlate(
  ctx: StepContext,
  step: Extract<RunbookStep, { kind: "correlate" }>,
): Promise<CorrelateFindings> {
  const metrics = metricsOf(ctx);
  const memory = podWorkingSets(await ctx.memory());
  const pod = growingPod(ctx.target.pods, memory);
  if (!pod) return { pod: null, candidates: 0, followers: [] };
  // one query for the pod's own series and its working set, at a finer step than the report's trend
  const series = await metrics
    .range(
      `{namespace=${JSON.stringify(ctx.target.namespace)},pod=${JSON.stringify(pod)},__name__!~"kube_.*|machine_.*"}`,
      {
        start: ctx.now - ctx.windowSeconds,
        end: ctx.now,
        stepSeconds: Math.max(1, Math.round(ctx.windowSeconds / 240)),
        maxSeries: step.maxSeries,
      },
    )
    .catch((e: unknown) => {
      if (e instanceof PortError && e.code === "invalid")
        throw new PortError(
          "prometheus",
          "invalid",
          `${pod} has more than ${step.maxSeries} series in Prometheus: raise the step's maxSeries or trim the pod's metrics`,
        );
      throw e;
    });
  const ws = series.filter(
    (s) =>
      s.labels["__name__"] === "container_memory_working_set_bytes" &&
      s.labels["container"] !== "" &&
      s.labels["container"] !== "POD",
  );
  const mem = ws.length
    ? (podWorkingSets(ws.map((s) => ({ pod, workingSet: s.points }))).get(pod) ?? [])
    : (memory.get(pod) ?? []);
  const candidates: CandidateSeries[] = series.map((s) => {
    const {
      __name__: metric = "",
      namespace: _ns,
      pod: _pod,
      instance: _i,
      job: _j,
      container: _c,
      ...rest
    } = s.labels;
    const labels = Object.entries(rest)
      .map(([k, v]) => `${k}="${v}"`)
      .join(",");
    return { metric, labels: labels ? `{${labels}}` : "", points: s.points };
  });
  return {
    pod,
    candidates: candidates.filter((c) => isCandidateMetric(c.metric)).length,
    followers: followers(mem, candidates, { ...CORRELATE_DEFAULTS, minR: step.minR }),
  };
}
