import type { WorkloadObject } from "../../../core/model.ts";
import { formatLimit } from "../../../core/quantity.ts";
import { driftText, planInEffect } from "../../../core/remediation/in-effect.ts";
import type { Proposal } from "../../../core/remediation/proposal.ts";
import type { Cluster } from "../../../ports.ts";
import type { Executor } from "./executor.ts";

const PLURAL = { deployment: "deployments", statefulset: "statefulsets", daemonset: "daemonsets" } as const;

/** What the server-side dry run says the workload would look like, for the fields the plan changes. */
function describe(p: Proposal, after: WorkloadObject): string {
  const c = p.plan.container ? after.template.containers.find((x) => x.name === p.plan.container) : undefined;
  const facts =
    (p.plan.action === "raise-limit" || p.plan.action === "set-request") && c
      ? `${c.name}: limit ${formatLimit(c.limitBytes)}, request ${formatLimit(c.requestBytes)}`
      : p.plan.action === "scale-out"
        ? `replicas ${after.replicas ?? "?"}`
        : `pod template annotations: ${Object.entries(after.template.annotations)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")}`;
  return `accepted by the API server (dry run): ${facts}; generation ${after.rollout.generation}`;
}

const read = (c: Cluster, p: Proposal) =>
  c.getWorkload(p.plan.target.namespace, p.plan.target.kind, p.plan.target.name);

/** The workload itself, with a JSON Patch whose `test`s pin what the card showed. */
export const live: Executor = {
  object: (p) => ({
    group: "apps",
    resource: PLURAL[p.plan.target.kind],
    namespace: p.plan.target.namespace,
    name: p.plan.target.name,
  }),
  sent: (p) => p.plan.ops,
  dryRun: async (c, p) => describe(p, await c.patchWorkload(p.plan.target, p.plan.ops, { dryRun: true })),
  apply: async (c, p) =>
    `patched; generation ${(await c.patchWorkload(p.plan.target, p.plan.ops, { dryRun: false })).rollout.generation}`,
  inEffect: async (c, p) => {
    const w = await read(c, p);
    return w ? planInEffect(p.plan, w) : false;
  },
  drift: async (c, p) => driftText(p.plan, await read(c, p)),
};
