/** An approver (or the requester, withdrawing) says no: recorded, and the card says so. Nothing runs. */
import { type Actor, deny, type Proposal } from "../core/remediation/proposal.ts";
import type { Result } from "../core/result.ts";
import { loadProposal, saveProposal } from "./proposals.ts";
import { updateCard } from "./remediation-cards.ts";
import type { RemediationDeps } from "./remediation-deps.ts";

export async function denyRemediation(
  d: RemediationDeps,
  id: string,
  actor: Actor,
  channel: string,
  clickedTs?: string,
): Promise<Result<Proposal>> {
  const loaded = await loadProposal(d, id, channel);
  const denied = loaded.ok ? deny(loaded.value, actor, d.policy, d.clock.now()) : loaded;
  const r = denied.ok && loaded.ok ? await saveProposal(d, denied.value, loaded.value) : denied;
  const p = loaded.ok ? loaded.value : null;
  await d.audit.record({
    kind: "denial",
    slackUser: actor.user,
    target: p ? p.plan.target : null,
    what: p ? p.plan.summary : `button on proposal ${id.slice(0, 64)}`,
    outcome: r.ok ? r.value.status : `refused: ${r.error}`,
    details: { proposal: id.slice(0, 64) },
  });
  if (r.ok) await updateCard(d, r.value, clickedTs);
  return r;
}
