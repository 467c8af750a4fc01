import type { HeapProfileFindings } from "../../core/findings.ts";
import { topFunctions } from "../../core/profile/heap-profile.ts";
import type { RunbookStep } from "../../core/runbook.ts";
import { PortError } from "../../ports.ts";
import { fetchHeapProfile } from "../fetch-heap-profile.ts";
import type { StepContext } from "../step-context.ts";
import { growingPod, podWorkingSets } from "./pod-series.ts";

/** One Go heap profile through the pod proxy, of the pod whose working set grew the most. */
export async function heapProfile(
  ctx: StepContext,
  step: Extract<RunbookStep, { kind: "heap-profile" }>,
): Promise<HeapProfileFindings> {
  const pod =
    growingPod(ctx.target.pods, podWorkingSets(ctx.metrics ? await ctx.memory() : [])) ??
    ctx.target.pods.find((p) => p.phase === "Running")?.name ??
    null;
  if (!pod) throw new PortError("kubernetes", "not-found", "the target has no running pod to profile");
  const { profile } = await fetchHeapProfile(
    ctx.cluster,
    { namespace: ctx.target.namespace, pod, port: step.port, path: step.path },
    20_000,
  );
  return {
    pod,
    port: step.port,
    path: step.path,
    totalBytes: profile.totalBytes,
    top: topFunctions(profile, step.top).byFlat,
  };
}
