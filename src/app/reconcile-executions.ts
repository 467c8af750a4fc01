/**
 * An approved proposal with no recorded outcome means memops stopped between the decision and the end
 * of the execution (a crash, a kill). Its lease over, memops reads the object, records what it finds
 * ("in effect" / "not applied"), says so in the thread, and resumes the verification when it is in effect.
 * It never sends the change again: nothing is executed twice.
 */
import type { Proposal } from "../core/remediation/proposal.ts";
import { executorFor } from "../engine/remediation/executors/index.ts";
import { updateCard } from "./remediation-cards.ts";
import type { VerifierDeps, Verifier } from "./verify-remediation.ts";

async function reconcileOne(d: VerifierDeps, verifier: Verifier, p: Proposal): Promise<void> {
  const target = p.plan.target;
  const intents = (await d.store.auditEntries({ target, since: (p.decidedAt ?? p.createdAt) - 1 })).filter(
    (e) => e.kind === "intent" && e.details["proposal"] === p.id,
  );
  const inEffect =
    intents.length === 0 ? false : await (executorFor(p.route)?.inEffect(d.cluster, p) ?? Promise.resolve(null));
  const status = inEffect === true ? "executed" : "failed";
  const result =
    inEffect === true
      ? "in effect (found on the cluster after memops restarted)"
      : inEffect === false
        ? `not applied: memops stopped ${intents.length === 0 ? "before it recorded the intent" : "before the change took effect"}; ask again`
        : "outcome unknown: memops stopped during the change; check the object before asking again";
  const saved = await d.store.updateProposal({ ...p, status, result }, p.version);
  if (!saved) return; // another replica reconciled it, or the execution finished after all
  d.log.warn({ proposal: p.id, inEffect, intents: intents.length }, "execution reconciled after a stop");
  await d.audit.record({
    kind: "mutation",
    slackUser: p.decidedBy,
    kubernetesIdentity: "memops (service account)",
    target,
    what: p.plan.summary,
    outcome:
      inEffect === true
        ? "in effect (reconciled)"
        : inEffect === false
          ? "not applied (reconciled)"
          : "unknown (reconciled)",
    details: { proposal: p.id, version: p.version, route: p.route.kind, reconciled: true },
  });
  await updateCard(d, saved);
  await d.chat.post(saved.channel, d.view.reconciled(saved, inEffect), saved.threadTs ?? undefined);
  if (inEffect === true) {
    await verifier.start(saved);
    verifier.watch(saved, null);
  }
}

/** Reconciles every approved proposal whose execution lease has run out. */
export async function reconcileExecutions(d: VerifierDeps, verifier: Verifier): Promise<number> {
  const now = d.clock.now();
  const stalled = (await d.store.proposalsInStatus("approved")).filter(
    (p) => (p.decidedAt ?? 0) + d.leaseSeconds < now,
  );
  for (const p of stalled) await reconcileOne(d, verifier, p);
  return stalled.length;
}
