import type { Proposal } from "../../../core/remediation/proposal.ts";
import type { Cluster } from "../../../ports.ts";
import type { Executor } from "./executor.ts";

const hpa = (p: Proposal) =>
  p.route.kind === "autoscaler"
    ? { namespace: p.route.namespace, name: p.route.name }
    : { namespace: p.plan.target.namespace, name: p.plan.autoscaler ?? "" };
const maxNow = async (c: Cluster, p: Proposal) => (await c.autoscalerFor(p.plan.target))?.maxReplicas ?? null;

/** The workload's HorizontalPodAutoscaler: its maxReplicas, tested then replaced. */
export const autoscaler: Executor = {
  object: (p) => ({ group: "autoscaling", resource: "horizontalpodautoscalers", ...hpa(p) }),
  sent: (p) => p.plan.ops,
  dryRun: async (c, p) => {
    const max = await c.patchAutoscaler(hpa(p), p.plan.ops, { dryRun: true });
    return `accepted by the API server (dry run): HorizontalPodAutoscaler ${hpa(p).namespace}/${hpa(p).name} maxReplicas ${max}`;
  },
  apply: async (c, p) => {
    await c.patchAutoscaler(hpa(p), p.plan.ops, { dryRun: false });
    return `HorizontalPodAutoscaler ${hpa(p).namespace}/${hpa(p).name} changed; it scales the workload itself`;
  },
  inEffect: async (c, p) => {
    const max = await maxNow(c, p);
    return max !== null && String(max) === p.plan.changes[0]?.after;
  },
  drift: async (c, p) => {
    const max = await maxNow(c, p);
    return max === null
      ? `the HorizontalPodAutoscaler ${hpa(p).name} no longer exists`
      : `made for maxReplicas ${p.plan.changes[0]?.before ?? "?"}; it is now ${max}`;
  },
};
