import type { HeapProfileFindings } from "../../core/findings.ts";
import { topFunctions } from "../../core/profile/heap-profile.ts";
import type { RunbookStep } from "../../core/runbook.ts";
import { decodeHeapProfile } from "../../profile/decode-heap.ts";
import { PortError } from "../../ports.ts";
import type { StepContext } from "../step-context.ts";
import { growingPod, podWorkingSets } from "./pod-series.ts";

const MAX_BYTES = 16 * 2 ** 20;

/** One Go heap profile through the pod proxy, of the pod whose working set grew the most. */
export async function heapProfile(
  ctx: StepContext,
  step: Extract<RunbookStep, { kind: "heap-profile" }>,
): Promise<HeapProfileFindings> {
  const only = ctx.target.pods.length === 1 ? (ctx.target.pods[0]?.name ?? null) : null;
  const pod =
    growingPod(only, podWorkingSets(ctx.metrics ? await ctx.memory() : [])) ??
    ctx.target.pods.find((p) => p.phase === "Running")?.name ??
    null;
  if (!pod) throw new PortError("kubernetes", "not-found", "the target has no running pod to profile");
  const bytes = await ctx.cluster.podProxyGet(ctx.target.namespace, pod, step.port, step.path, {
    maxBytes: MAX_BYTES,
    timeoutMs: 20_000,
    query: { gc: "1" },
  });
  const p = decodeHeapProfile(bytes);
  if (!p.ok) throw new PortError("kubernetes", "invalid", `${pod}:${step.port}${step.path} answered, but ${p.error}`);
  return {
    pod,
    port: step.port,
    path: step.path,
    totalBytes: p.value.totalBytes,
    top: topFunctions(p.value, step.top).byFlat,
  };
}
