/**
 * The digest's rows as changes behind the same approval as a diagnosis's buttons (issue 15): for each
 * over-provisioned row, its request set to memops's recommendation; for each under-provisioned one, its
 * limit raised toward the recommendation within the policy's step and ceiling. Each is an "offered"
 * proposal, made from the workload as the API server has it now, whose opaque id is all a button carries.
 * None where the policy does not allow the action in that namespace, for a leak (a bigger limit does
 * not fix one), or for what is not a Deployment, StatefulSet or DaemonSet.
 */
import type { WorkloadObject } from "../core/model.ts";
import { gitOpsOwner } from "../core/remediation/gitops.ts";
import { type Plan, planLimit, planRequest } from "../core/remediation/plan.ts";
import { type Action, ruleFor } from "../core/remediation/policy.ts";
import { offered } from "../core/remediation/proposal.ts";
import { routeFor } from "../core/remediation/route.ts";
import type { Result } from "../core/result.ts";
import type { WorkloadKind } from "../core/target.ts";
import type { Digest, DigestOffer, DigestRow } from "../core/watch/digest.ts";
import type { IncidentDeps } from "./incident-deps.ts";

const KINDS: readonly string[] = ["deployment", "statefulset", "daemonset"];

export async function offerDigestChanges(
  d: IncidentDeps,
  digest: Digest,
  where: { channel: string; threadTs: string },
): Promise<DigestOffer[]> {
  const policy = d.policy;
  if (!policy) return [];
  const now = d.diagnosis.clock.now();
  const planned = async (row: DigestRow, action: Action, plan: (w: WorkloadObject) => Result<Plan> | null) => {
    const [kind = "", name = ""] = row.workload.split("/");
    if (!KINDS.includes(kind) || row.classification === "leak" || !ruleFor(policy, row.namespace, action)) return [];
    const w = await d.diagnosis.cluster.getWorkload(row.namespace, kind as WorkloadKind, name);
    const p = w ? plan(w) : null;
    if (!w || !p?.ok) return [];
    const gitOps = gitOpsOwner(w.labels, w.annotations);
    const proposal = offered({
      id: d.newId(),
      plan: p.value,
      ...where,
      gitOps,
      route: routeFor(p.value, gitOps, w.annotations, now),
      now,
    });
    await d.store.insertProposal(proposal);
    return [{ row, proposal }];
  };
  const offers: DigestOffer[] = [];
  for (const row of digest.over)
    offers.push(
      ...(await planned(row, "set-request", (w) =>
        row.recommendedRequest === null ? null : planRequest(w, row.container, row.recommendedRequest),
      )),
    );
  for (const row of digest.under)
    offers.push(
      ...(await planned(row, "raise-limit", (w) => {
        const limit = w.template.containers.find((c) => c.name === row.container)?.limitBytes ?? null;
        if (limit === null || row.recommendedLimit === null) return null;
        const ceiling = ruleFor(policy, row.namespace, "raise-limit")?.limitCeiling ?? null;
        // as far as one step and the ceiling allow: the rest after verification
        const bounded = Math.min(row.recommendedLimit, Math.floor(limit * policy.maxLimitFactor), ceiling ?? Infinity);
        return bounded > limit
          ? planLimit(w, row.container, bounded, { maxFactor: policy.maxLimitFactor, ceilingBytes: ceiling })
          : null;
      })),
    );
  return offers;
}
