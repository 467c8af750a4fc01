import type { ContainerLimitChange } from "../core/limit-history.ts";
import type { Runbook } from "../core/runbook.ts";
import { type Cluster, type ContainerMemory, type MemoryMetrics, PortError } from "../ports.ts";
import type { ResolvedTarget } from "./resolve-target.ts";

export interface StepContext {
  cluster: Cluster;
  metrics: MemoryMetrics | null;
  target: ResolvedTarget;
  runbook: Runbook;
  /** Unix seconds */
  now: number;
  windowSeconds: number;
  /** the workload's memory over the window: one query, shared by the steps that need it */
  memory: () => Promise<ContainerMemory[]>;
  /** the limit changes memops executed on the workload: the limit history when Prometheus has none */
  limitChanges: () => Promise<readonly ContainerLimitChange[]>;
}

/** How many rows a section shows; the rest are counted, not listed. */
export const TOP = 10;

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The metrics port a step needs; without Prometheus its section is unavailable, and says why. */
export function metricsOf(ctx: StepContext): MemoryMetrics {
  if (!ctx.metrics)
    throw new PortError("prometheus", "unavailable", "Prometheus is not configured (set PROMETHEUS_URL)");
  return ctx.metrics;
}
