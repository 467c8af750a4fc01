/** The diagnosis report: one section per runbook step, each either ok or marked unavailable with why. */
import type { TrendAnalysis } from "./classify.ts";
import type { LimitStep } from "./limit-history.ts";
import type { Sample } from "./model.ts";
import type { Follower } from "./correlate.ts";
import type { Ranked } from "./profile/heap-profile.ts";
import type { TargetKind, WorkloadKind } from "./target.ts";

/**
 * Every step kind with a section, and what its section holds: the one list the step-kind type, the
 * section union, the engine's dispatch and the renderers' registries are derived from.
 */
export interface FindingsOf {
  "usage-vs-limit": UsageFindings;
  "oom-history": OomFindings;
  "logs-grep": LogFindings;
  "node-pressure": NodeFindings;
  "memory-trend": TrendFindings;
  promql: PromqlFindings;
  "count-resources": CountFindings;
  runtime: RuntimeFindings;
  correlate: CorrelateFindings;
  "heap-profile": HeapProfileFindings;
}

export type SectionKind = keyof FindingsOf;
/** `next-steps` reads the other sections and has none of its own */
export type StepKind = SectionKind | "next-steps";

export interface UsageRow {
  pod: string;
  container: string;
  usageBytes: number | null;
  requestBytes: number | null;
  limitBytes: number | null;
  /** usage / limit, 0..n */
  ofLimit: number | null;
  ofRequest: number | null;
}

export interface UsageFindings {
  source: "prometheus" | "metrics-api" | "none";
  sourceNote?: string;
  rows: UsageRow[];
  totalContainers: number;
  overThreshold: number;
  warnRatio: number;
}

export interface OomRow {
  pod: string;
  container: string;
  restartCount: number;
  oomKilled: boolean;
  lastReason: string | null;
  lastExitCode: number | null;
  lastFinishedAt: number | null;
  crashLoop: boolean;
  waitingReason: string | null;
}

export interface EventRow {
  reason: string;
  message: string;
  object: string;
  count: number;
  lastSeen: number | null;
}

export interface OomFindings {
  rows: OomRow[];
  totalRestarts: number;
  oomKilledContainers: number;
  crashLooping: number;
  events: EventRow[];
  podsScanned: number;
}

export interface LogExcerpt {
  pod: string;
  container: string;
  previous: boolean;
  lines: string[];
  matched: number;
  note?: string;
}

export interface LogFindings {
  why: string;
  excerpts: LogExcerpt[];
}

export interface NodeRow {
  name: string;
  memoryPressure: boolean | null;
  allocatableBytes: number | null;
  requestedBytes: number;
  ofAllocatable: number | null;
  pods: number;
}

export interface NodeFindings {
  nodes: NodeRow[];
}

export interface TrendRow {
  pod: string;
  container: string;
  /** "deployment/api": the workload the pod belongs to (charts are drawn per workload) */
  workload: string;
  /** the pod's limit (at its end, for a pod that is gone) */
  limitBytes: number | null;
  requestBytes: number | null;
  /** the container's limit over the window, as the workload had it (one step when it did not change) */
  limits: LimitStep[];
  analysis: TrendAnalysis;
  series: Sample[];
}

export interface TrendFindings {
  windowStart: number;
  windowEnd: number;
  rows: TrendRow[];
  totalContainers: number;
}

export interface PromqlFindings {
  name: string;
  query: string;
  values: { labels: string; value: number }[];
}

export interface ResourceCount {
  apiVersion: string;
  kind: string;
  /** null: the whole cluster */
  namespace: string | null;
  count: number;
  /** the API server's estimate (remainingItemCount) rather than a full count */
  estimated: boolean;
  warnAbove: number | null;
}

export interface CountFindings {
  counts: ResourceCount[];
}

/** A pod's working set split by what its runtime reports (issue 16). */
export interface RuntimeRow {
  pod: string;
  runtime: "go" | "jvm" | "nodejs";
  /** the pod's working set now (all containers) */
  workingSetBytes: number | null;
  /** "heap in use" 40Mi, "stacks" 2Mi, … as the runtime names them */
  parts: { label: string; bytes: number }[];
  /** working set − the parts: runtime overhead, fragmentation, off-heap and native memory */
  otherBytes: number | null;
  /** Go: goroutines now, and whether their count grows with memory (a goroutine leak) */
  goroutines: { now: number; leak: Follower | null } | null;
}

export interface RuntimeFindings {
  rows: RuntimeRow[];
}

export interface CorrelateFindings {
  /** the pod whose working set grew the most: the one correlated */
  pod: string | null;
  /** how many of its series were compared */
  candidates: number;
  followers: Follower[];
}

/** A heap profile taken during the diagnosis: where the heap is, for the pod that grew most. */
export interface HeapProfileFindings {
  pod: string;
  port: number;
  path: string;
  totalBytes: number;
  top: Ranked[];
}

export interface SectionOf<K extends SectionKind, D = FindingsOf[K]> {
  kind: K;
  title: string;
  /** ok: data is present; unavailable: the step failed or timed out and `note` says why */
  status: "ok" | "unavailable";
  note?: string;
  data?: D;
  millis: number;
}

export type Section = { [K in SectionKind]: SectionOf<K> }[SectionKind];

/** A section of a kind, as the union holds it (TypeScript cannot see that SectionOf<K> is a member for a generic K). */
export const asSection = <K extends SectionKind>(s: SectionOf<K>): Section => s as unknown as Section;

export type Severity = "ok" | "warning" | "critical";

export interface Verdict {
  severity: Severity;
  headline: string;
  points: string[];
}

export interface TargetSummary {
  kind: TargetKind;
  name: string;
  namespace: string;
  /** e.g. ["Pod api-7d9c-x2x", "ReplicaSet api-7d9c", "Deployment api"] */
  ownerChain: string[];
  pods: number;
  containers: number;
  /** the workload remediations act on (a pod's owner), when there is one */
  workload: { kind: WorkloadKind; name: string } | null;
}

export interface Report {
  runbook: { id: string; title: string };
  target: TargetSummary;
  windowSeconds: number;
  startedAt: number;
  finishedAt: number;
  sections: Section[];
  verdict: Verdict;
  nextSteps: string[];
}

/** The data of a section of the given kind, when that step ran and succeeded. */
export function sectionData<K extends Section["kind"]>(sections: readonly Section[], kind: K): DataOf<K> | undefined {
  const s = sections.find((x) => x.kind === kind && x.status === "ok");
  return s?.data as DataOf<K> | undefined;
}

export type DataOf<K extends Section["kind"]> = NonNullable<Extract<Section, { kind: K }>["data"]>;
