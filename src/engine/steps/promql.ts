import { fillTemplate } from "../../core/promql-template.ts";
import { PortError } from "../../ports.ts";
import type { PromqlFindings } from "../../core/findings.ts";
import type { RunbookStep } from "../../core/runbook.ts";
import { metricsOf, type StepContext, TOP } from "../step-context.ts";

/** Evaluates a runbook's own PromQL with {{namespace}} and {{pods}} filled in. */
export async function promql(
  ctx: StepContext,
  step: Extract<RunbookStep, { kind: "promql" }>,
): Promise<PromqlFindings> {
  const metrics = metricsOf(ctx);
  const filled = fillTemplate(step.query, { namespace: ctx.target.namespace, pods: ctx.target.podPattern ?? ".+" });
  if (!filled.ok)
    throw new PortError("prometheus", "invalid", `the runbook's query cannot be filled in: ${filled.error}`);
  const query = filled.value;
  const result = await metrics.evaluate(query, ctx.now);
  return {
    name: step.name,
    query,
    values: result.slice(0, TOP).map((r) => ({
      labels: Object.entries(r.labels)
        .filter(([k]) => k !== "__name__")
        .map(([k, v]) => `${k}="${v}"`)
        .join(", "),
      value: r.value,
    })),
  };
}
