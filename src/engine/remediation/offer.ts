import {
  type OomFindings,
  sectionData,
  type Report,
  type TrendFindings,
  type TrendRow,
  type UsageFindings,
} from "../../core/findings.ts";
import type { WorkloadObject } from "../../core/model.ts";
import { proposedLimit } from "../../core/next-steps.ts";
import { raisedSinceOom } from "../../core/oom-addressed.ts";
import { gitOpsOwner } from "../../core/remediation/gitops.ts";
import { type Plan, planLimit, planRestart, recommendedReplicas } from "../../core/remediation/plan.ts";
import { type Policy, ruleFor } from "../../core/remediation/policy.ts";
import { offered, type Proposal } from "../../core/remediation/proposal.ts";
import { routeFor } from "../../core/remediation/route.ts";
import { planScaleOut } from "./scale-out.ts";
import type { Runbook } from "../../core/runbook.ts";
import type { Cluster, Store } from "../../ports.ts";

/** Scale so each replica would sit at this share of its limit. */
const SCALE_TARGET = 0.7;

export interface OfferDeps {
  cluster: Cluster;
  store: Store;
  newId: () => string;
}

/** What the planners read: the workload as the API server has it, and the report's findings. */
interface Findings {
  w: WorkloadObject;
  report: Report;
  policy: Policy;
  trend: TrendFindings | undefined;
  oom: OomFindings | undefined;
  usage: UsageFindings | undefined;
  /** containers that leak: a leak needs a fix or restarts, not an endless limit, nor more replicas */
  leaking: Set<string>;
  now: number;
}

/** A bounded raise for each container that was OOM-killed or sits at its limit, unless a raise already answered it. */
function raiseLimits(f: Findings): Plan[] {
  const { w, trend, oom, policy, report } = f;
  const plans: Plan[] = [];
  for (const c of w.template.containers) {
    if (f.leaking.has(c.name) || c.limitBytes === null) continue;
    // kills before a raise were answered by it: the same raise is not offered again
    const answered = raisedSinceOom(report.sections, c.name) !== null;
    const killed = !answered && (oom?.rows.some((r) => r.container === c.name && r.oomKilled) ?? false);
    const tight =
      trend?.rows.some(
        (r) =>
          r.container === c.name &&
          ((r.analysis.classification === "oom-cycle" && !answered) ||
            (r.analysis.classification === "limit-too-low" && r.limitBytes === c.limitBytes)),
      ) ?? false;
    if (!killed && !tight) continue;
    const rule = ruleFor(policy, w.namespace, "raise-limit");
    // the pod that came closest to its limit speaks for the container
    const row =
      trend?.rows
        .filter((r) => r.container === c.name)
        .reduce<TrendRow | null>((a, r) => (!a || r.analysis.peakBytes > a.analysis.peakBytes ? r : a), null) ?? null;
    const size = proposedLimit({
      analysis: row?.analysis ?? null,
      limitBytes: c.limitBytes,
      requestBytes: c.requestBytes,
      oomKilled: killed,
      peakBytes: row?.analysis.peakBytes ?? 0,
      maxFactor: policy.maxLimitFactor,
      ceilingBytes: rule?.limitCeiling ?? null,
      now: f.now,
    });
    // at the ceiling the next steps say the ceiling is the problem: no button proposes the same limit again
    if (size.atCeiling) continue;
    const plan = planLimit(w, c.name, size.limitBytes, {
      maxFactor: policy.maxLimitFactor,
      ceilingBytes: rule?.limitCeiling ?? null,
    });
    if (plan.ok) plans.push({ ...plan.value, reason: size.reason });
  }
  return plans;
}

/** A restart frees memory: worth offering when memory is the problem now, not on a healthy workload. */
function restart(f: Findings): Plan[] {
  const pressed =
    f.leaking.size > 0 ||
    (f.usage?.overThreshold ?? 0) > 0 ||
    (f.trend?.rows.some(
      (r) =>
        (r.analysis.classification === "oom-cycle" && !r.analysis.raisedSince) ||
        (r.analysis.classification === "spike" && r.analysis.recovered === false),
    ) ??
      false);
  if (!pressed) return [];
  const plan = planRestart(f.w, f.now);
  return plan.ok ? [plan.value] : [];
}

/** More replicas when usage is high without a leak, so each carries less (through the HPA when one owns the count). */
async function scaleOut(f: Findings, cluster: Cluster): Promise<Plan[]> {
  const { w, usage, policy } = f;
  if (!usage || usage.overThreshold === 0 || f.leaking.size > 0) return [];
  if (w.kind !== "deployment" && w.kind !== "statefulset") return [];
  const hottest = Math.max(0, ...usage.rows.map((r) => r.ofLimit ?? 0));
  const wanted = recommendedReplicas(w.replicas ?? 1, hottest, SCALE_TARGET);
  const plan = await planScaleOut(cluster, w, wanted, ruleFor(policy, w.namespace, "scale-out")?.maxReplicas ?? null);
  return plan.ok ? [plan.value] : [];
}

/**
 * After a diagnosis: the remediations the runbook allows and the findings justify, each stored as an
 * "offered" proposal whose opaque id is all a button carries.
 */
export async function offerRemediations(
  deps: OfferDeps,
  report: Report,
  runbook: Runbook,
  policy: Policy,
  where: { channel: string; threadTs: string },
  now: number,
): Promise<Proposal[]> {
  const ref = report.target.workload;
  if (!ref) return [];
  const w = await deps.cluster.getWorkload(report.target.namespace, ref.kind, ref.name);
  if (!w) return [];
  const allowed = (a: Plan["action"]) => runbook.remediations.includes(a) && !!ruleFor(policy, w.namespace, a);
  const trend = sectionData(report.sections, "memory-trend");
  const f: Findings = {
    w,
    report,
    policy,
    trend,
    oom: sectionData(report.sections, "oom-history"),
    usage: sectionData(report.sections, "usage-vs-limit"),
    leaking: new Set(trend?.rows.filter((r) => r.analysis.classification === "leak").map((r) => r.container)),
    now,
  };
  const plans = [
    ...(allowed("raise-limit") ? raiseLimits(f) : []),
    ...(allowed("restart") ? restart(f) : []),
    ...(allowed("scale-out") ? await scaleOut(f, deps.cluster) : []),
  ];
  const gitOps = gitOpsOwner(w.labels, w.annotations);
  const proposals = plans.map((plan) =>
    offered({
      id: deps.newId(),
      plan,
      channel: where.channel,
      threadTs: where.threadTs,
      gitOps,
      route: routeFor(plan, gitOps, w.annotations, now),
      now,
    }),
  );
  for (const p of proposals) await deps.store.insertProposal(p);
  return proposals;
}
