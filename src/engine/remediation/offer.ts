import { sectionData, type Report, type TrendRow } from "../../core/findings.ts";
import { proposedLimit } from "../../core/next-steps.ts";
import { raisedSinceOom } from "../../core/oom-addressed.ts";
import { gitOpsOwner } from "../../core/remediation/gitops.ts";
import {
  type Plan,
  planAutoscalerMax,
  planLimit,
  planRestart,
  planScale,
  recommendedReplicas,
} from "../../core/remediation/plan.ts";
import { type Policy, ruleFor } from "../../core/remediation/policy.ts";
import { offered, type Proposal } from "../../core/remediation/proposal.ts";
import { routeFor } from "../../core/remediation/route.ts";
import type { Runbook } from "../../core/runbook.ts";
import type { Cluster, Store } from "../../ports.ts";

/** Scale so each replica would sit at this share of its limit. */
const SCALE_TARGET = 0.7;

export interface OfferDeps {
  cluster: Cluster;
  store: Store;
  newId: () => string;
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
  const plans: Plan[] = [];
  const trend = sectionData(report.sections, "memory-trend");
  const oom = sectionData(report.sections, "oom-history");
  const usage = sectionData(report.sections, "usage-vs-limit");
  const leaking = new Set(trend?.rows.filter((r) => r.analysis.classification === "leak").map((r) => r.container));

  if (allowed("raise-limit")) {
    for (const c of w.template.containers) {
      if (leaking.has(c.name) || c.limitBytes === null) continue; // a leak needs a fix or restarts, not an endless limit
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
        now,
      });
      const plan = planLimit(w, c.name, size.limitBytes, {
        maxFactor: policy.maxLimitFactor,
        ceilingBytes: rule?.limitCeiling ?? null,
      });
      if (plan.ok) plans.push({ ...plan.value, reason: size.reason });
    }
  }
  // A restart frees memory: worth offering when memory is the problem now, not on a healthy workload.
  const pressed =
    leaking.size > 0 ||
    (usage?.overThreshold ?? 0) > 0 ||
    (trend?.rows.some(
      (r) =>
        (r.analysis.classification === "oom-cycle" && !r.analysis.raisedSince) ||
        (r.analysis.classification === "spike" && r.analysis.recovered === false),
    ) ??
      false);
  if (allowed("restart") && pressed) {
    const plan = planRestart(w, now);
    if (plan.ok) plans.push(plan.value);
  }
  const hottest = Math.max(0, ...(usage?.rows.map((r) => r.ofLimit ?? 0) ?? []));
  if (
    allowed("scale-out") &&
    usage &&
    usage.overThreshold > 0 &&
    leaking.size === 0 &&
    (w.kind === "deployment" || w.kind === "statefulset")
  ) {
    const hpa = await deps.cluster.autoscalerFor({ kind: w.kind, namespace: w.namespace, name: w.name });
    const wanted = recommendedReplicas(w.replicas ?? 1, hottest, SCALE_TARGET);
    const maxReplicas = ruleFor(policy, w.namespace, "scale-out")?.maxReplicas ?? null;
    // An HPA owns the replica count: propose raising its ceiling, not a scale it would undo.
    const plan = hpa
      ? planAutoscalerMax(w, hpa, wanted, maxReplicas)
      : planScale(w, wanted, { hpa: null, maxReplicas });
    if (plan.ok) plans.push(plan.value);
  }
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
