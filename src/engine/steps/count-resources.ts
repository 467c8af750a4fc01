import type { CountFindings } from "../../core/findings.ts";
import type { RunbookStep } from "../../core/runbook.ts";
import type { StepContext } from "../step-context.ts";

/** Counts the objects an operator watches: its memory grows with them, not with traffic. */
export async function countResources(
  ctx: StepContext,
  step: Extract<RunbookStep, { kind: "count-resources" }>,
): Promise<CountFindings> {
  const counts = await Promise.all(
    step.resources.map(async (r) => {
      const namespace = r.scope === "cluster" ? null : ctx.target.namespace;
      const { count, estimated } = await ctx.cluster.countObjects(r.apiVersion, r.kind, namespace);
      return { apiVersion: r.apiVersion, kind: r.kind, namespace, count, estimated, warnAbove: step.warnAbove ?? null };
    }),
  );
  return { counts };
}
