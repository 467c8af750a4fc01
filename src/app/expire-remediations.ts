/** Pending requests past their expiry: recorded as expired, and their cards say so. */
import { expire, type Proposal } from "../core/remediation/proposal.ts";
import { updateCard } from "./remediation-cards.ts";
import type { RemediationDeps } from "./remediation-deps.ts";

export async function expireRemediations(d: RemediationDeps): Promise<Proposal[]> {
  const out: Proposal[] = [];
  for (const p of await d.store.expiredProposals(d.clock.now())) {
    const e = expire(p, d.clock.now());
    const saved = e ? await d.store.updateProposal(e, p.version) : null;
    if (!saved) continue;
    d.log.info({ proposal: p.id }, "remediation request expired");
    await d.audit.record({
      kind: "expiry",
      slackUser: null,
      target: p.plan.target,
      what: p.plan.summary,
      outcome: "expired",
      details: { proposal: p.id, requester: p.requester },
    });
    await updateCard(d, saved);
    out.push(saved);
  }
  return out;
}
