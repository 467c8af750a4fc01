/**
 * Every step kind the engine runs: its default title and how it runs, one entry per kind (the type says
 * which kinds there must be, so a kind without an entry does not compile).
 */
import type { FindingsOf, SectionKind } from "../../core/findings.ts";
import type { RunbookStep } from "../../core/runbook.ts";
import type { StepContext } from "../step-context.ts";
import { countResources } from "./count-resources.ts";
import { logsGrep } from "./logs-grep.ts";
import { memoryTrend } from "./memory-trend.ts";
import { nodePressure } from "./node-pressure.ts";
import { oomHistory } from "./oom-history.ts";
import { promql } from "./promql.ts";
import { usageVsLimit } from "./usage-vs-limit.ts";
import { runtime } from "./runtime.ts";
import { correlate } from "./correlate.ts";
import { heapProfile } from "./heap-profile.ts";

export type StepOf<K extends RunbookStep["kind"]> = Extract<RunbookStep, { kind: K }>;

export interface StepDef<K extends SectionKind> {
  /** the section's heading unless the runbook gives one */
  title: string;
  run(ctx: StepContext, step: StepOf<K>): Promise<FindingsOf[K]>;
}

export const STEPS: { [K in SectionKind]: StepDef<K> } = {
  "usage-vs-limit": { title: "Usage vs limit", run: usageVsLimit },
  "oom-history": { title: "OOM kills and restarts", run: oomHistory },
  "logs-grep": { title: "Memory-related log lines", run: logsGrep },
  "node-pressure": { title: "Node", run: nodePressure },
  "memory-trend": { title: "Trend and forecast", run: memoryTrend },
  promql: { title: "Query", run: promql },
  "count-resources": { title: "Objects managed", run: countResources },
  runtime: { title: "Runtime memory", run: runtime },
  correlate: { title: "What grows with memory", run: correlate },
  "heap-profile": { title: "Heap profile", run: heapProfile },
};

/** Any runbook step that has a section (all but next-steps). */
export type SectionStep = StepOf<SectionKind>;

/**
 * Runs a step through its kind's entry. The one cast: TypeScript cannot correlate a union's `kind` with
 * the entry's options for it, though the mapped type above guarantees they match.
 */
export function runStep(ctx: StepContext, step: SectionStep): Promise<FindingsOf[SectionKind]> {
  return (STEPS[step.kind] as StepDef<SectionKind>).run(ctx, step);
}

export const defaultTitle = (step: SectionStep): string =>
  step.kind === "promql" ? step.name : STEPS[step.kind].title;
