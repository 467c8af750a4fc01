import { formatDuration, formatInstant } from "./duration.ts";
import { sectionData, type Section, type TrendRow } from "./findings.ts";
import { exactQuantity, formatBytes, formatLimit, MiB, roundUpReadable } from "./quantity.ts";
import type { TrendAnalysis } from "./classify.ts";
import { raisedSinceOom } from "./oom-addressed.ts";
import { containerSlot, slotParts, workloadFromPodName } from "./pod-workload.ts";
import { shortWorkload } from "./target.ts";
import { recommend } from "./recommend.ts";

export interface SizingPolicy {
  /** never raise a limit by more than this factor at once */
  maxFactor: number;
  /** the remediation policy's ceiling for the namespace: never propose above it */
  ceilingBytes?: number | null;
}

/** The limit to propose after an OOM kill: never below max(old × 1.2, old + 100Mi), never above old × factor. */
export function raisedLimit(oldLimit: number, peak: number, policy: SizingPolicy): number {
  const floor = Math.max(oldLimit * 1.2, oldLimit + 100 * MiB, peak * 1.15);
  return Math.min(roundUpReadable(floor), Math.floor(oldLimit * policy.maxFactor));
}

export interface ProposedLimit {
  limitBytes: number;
  reason: string;
  /** the limit is at the policy's ceiling and more is needed: nothing to raise to (limitBytes is the current limit) */
  atCeiling: boolean;
}

/**
 * The larger limit to propose for a container that was OOM-killed or sits at its limit: the
 * recommendation from its trend when it raises the limit, else the OOM floor; never above the policy's
 * ceiling. The raise-limit button and the next-steps text both use this, so they always name the same
 * number, and both say so when the ceiling is the problem.
 */
export function proposedLimit(o: {
  analysis: TrendAnalysis | null;
  limitBytes: number;
  requestBytes: number | null;
  oomKilled: boolean;
  peakBytes: number;
  maxFactor: number;
  ceilingBytes?: number | null;
  now: number;
}): ProposedLimit {
  const ceiling = o.ceilingBytes ?? null;
  const rec = o.analysis
    ? recommend({
        analysis: o.analysis,
        limitBytes: o.limitBytes,
        requestBytes: o.requestBytes,
        oomKilled: o.oomKilled,
        now: o.now,
        maxFactor: o.maxFactor,
        ceilingBytes: ceiling,
      })
    : null;
  if (rec?.ceiling === "reached") return { limitBytes: o.limitBytes, reason: rec.reason, atCeiling: true };
  if (rec?.limitBytes && rec.limitBytes > o.limitBytes)
    return { limitBytes: rec.limitBytes, reason: rec.reason, atCeiling: false };
  const floor = raisedLimit(o.limitBytes, o.peakBytes, { maxFactor: o.maxFactor });
  const reason = "OOM-killed: at least max(old × 1.2, old + 100Mi)";
  if (ceiling === null || floor <= ceiling) return { limitBytes: floor, reason, atCeiling: false };
  if (o.limitBytes >= ceiling)
    return {
      limitBytes: o.limitBytes,
      reason: `OOM-killed at the policy's ceiling of ${formatBytes(ceiling)}: the ceiling is the problem, not the limit`,
      atCeiling: true,
    };
  return {
    limitBytes: ceiling,
    reason: `${reason}, held at the policy's ceiling of ${formatBytes(ceiling)}: if it is killed there, the ceiling is the problem`,
    atCeiling: false,
  };
}

/** What the report says of one workload container, gathered from every section. */
interface ContainerFacts {
  limit: number | null;
  request: number | null;
  peak: number;
  cls: Set<string>;
  ttl: number | null;
  oom: boolean;
  row: TrendRow | null;
}

/** Each workload's container ("deployment/api|app": a namespace holds many workloads with an "app" container). */
function containerFacts(sections: readonly Section[]): Map<string, ContainerFacts> {
  const trend = sectionData(sections, "memory-trend");
  const facts = new Map<string, ContainerFacts>();
  const workloadOfPod = new Map((trend?.rows ?? []).map((r) => [r.pod, r.workload]));
  const entry = (pod: string, container: string) => {
    const key = containerSlot(workloadOfPod.get(pod) ?? workloadFromPodName(pod), container);
    let e = facts.get(key);
    if (!e)
      facts.set(key, (e = { limit: null, request: null, peak: 0, cls: new Set(), ttl: null, oom: false, row: null }));
    return e;
  };
  for (const r of trend?.rows ?? []) {
    const e = entry(r.pod, r.container);
    e.limit = r.limitBytes ?? e.limit;
    e.request = r.requestBytes ?? e.request;
    if (!e.row || r.analysis.peakBytes > e.row.analysis.peakBytes) e.row = r;
    e.peak = Math.max(e.peak, r.analysis.peakBytes);
    e.cls.add(r.analysis.classification);
    if (r.analysis.timeToLimitSeconds !== null) e.ttl = Math.min(e.ttl ?? Infinity, r.analysis.timeToLimitSeconds);
  }
  for (const r of sectionData(sections, "oom-history")?.rows ?? [])
    if (r.oomKilled) entry(r.pod, r.container).oom = true;
  for (const r of sectionData(sections, "usage-vs-limit")?.rows ?? []) {
    const e = entry(r.pod, r.container);
    e.limit = r.limitBytes ?? e.limit;
    e.peak = Math.max(e.peak, r.usageBytes ?? 0);
  }
  return facts;
}

/** The steps for one container: watch a raise that answered its kills, restart a leak, raise a tight limit, set a missing one. */
function containerSteps(
  sections: readonly Section[],
  key: string,
  e: ContainerFacts,
  name: string,
  policy: SizingPolicy,
  now: number,
): string[] {
  const { workload, container } = slotParts(key);
  const steps: string[] = [];
  const raised = raisedSinceOom(sections, container, workload);
  if (raised && !e.cls.has("leak") && !e.cls.has("limit-too-low")) {
    steps.push(
      `The limit of container ${name} was raised from ${formatLimit(raised.from)} to ${formatLimit(raised.to)} at ${formatInstant(raised.at)}, after its last OOM kill: watch that it holds before changing it again.`,
    );
  } else if (e.cls.has("leak")) {
    const when = e.ttl === null ? "" : ` before it reaches the limit (~${formatDuration(e.ttl)})`;
    steps.push(
      `Container ${name} looks like a leak: schedule a rolling restart${when} to buy time, and capture a heap profile. Raising the limit only delays the OOM.`,
    );
  } else if ((e.oom || e.cls.has("oom-cycle") || e.cls.has("limit-too-low")) && e.limit) {
    const next = proposedLimit({
      analysis: e.row?.analysis ?? null,
      limitBytes: e.limit,
      requestBytes: e.request,
      oomKilled: e.oom,
      peakBytes: e.peak,
      maxFactor: policy.maxFactor,
      ceilingBytes: policy.ceilingBytes ?? null,
      now,
    });
    steps.push(
      next.atCeiling
        ? `Container ${name} ${e.oom ? "was OOM-killed" : "is tight"} at ${formatBytes(e.limit)}, the policy's ceiling for this namespace: the ceiling is the problem, not the limit, and the same limit again ends in the same OOM kill. Find what holds the memory (a heap profile), scale out so each replica carries less, or raise \`limitCeiling\` in the policy if the nodes can hold it.`
        : `Raise the memory limit of container ${name} from ${formatBytes(e.limit)} to ${exactQuantity(next.limitBytes)} (at most ×${policy.maxFactor} per step${next.limitBytes === policy.ceilingBytes ? ", held at the policy's ceiling" : ""}), then watch for new OOM kills.`,
    );
  }
  if (e.limit === null && (e.oom || e.peak > 0))
    steps.push(
      `Container ${name} has no memory limit: set one (and a request) so one container cannot exhaust the node.`,
    );
  return steps;
}

/** Recommended next steps, in the order an SRE would take them; text only. */
export function nextSteps(sections: readonly Section[], policy: SizingPolicy, now: number): string[] {
  const usage = sectionData(sections, "usage-vs-limit");
  const facts = containerFacts(sections);
  const many = new Set([...facts.keys()].map((k) => slotParts(k).workload)).size > 1;
  const steps = [...facts].flatMap(([key, e]) => {
    const { workload, container } = slotParts(key);
    return containerSteps(
      sections,
      key,
      e,
      many ? `${container} of ${shortWorkload(workload)}` : container,
      policy,
      now,
    );
  });
  const warn = usage?.warnRatio ?? 0.8;
  if ((usage?.rows.some((r) => (r.ofLimit ?? 0) >= warn) ?? false) && steps.length === 0)
    steps.push(
      `Usage is above ${Math.round(warn * 100)}% of the limit without a leak: raise the limit, or scale out so each replica carries less.`,
    );
  for (const n of sectionData(sections, "node-pressure")?.nodes.filter((x) => x.memoryPressure) ?? [])
    steps.push(
      `Node ${n.name} is under MemoryPressure: set requests close to real usage so the scheduler stops overcommitting it, or move pods away.`,
    );
  if (sectionData(sections, "oom-history")?.rows.some((r) => r.crashLoop && !r.oomKilled))
    steps.push(
      "A container is crash-looping for a reason other than memory: read its previous logs (`kubectl logs --previous`) before changing memory.",
    );
  if (steps.length === 0)
    steps.push(
      "Nothing to do now. Run `/mem diagnose` again with `--since 24h` for a longer view if the alert persists.",
    );
  return steps;
}
