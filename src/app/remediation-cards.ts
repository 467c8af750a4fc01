/** The approval card and the parent's "Last action" line: where a proposal shows in its thread. */
import { ruleFor } from "../core/remediation/policy.ts";
import type { Proposal } from "../core/remediation/proposal.ts";
import type { RemediationDeps } from "./remediation-deps.ts";

const cardOf = (d: RemediationDeps, p: Proposal) =>
  d.view.card(p, ruleFor(d.policy, p.plan.target.namespace, p.plan.action));

/** Posts the approval card in the thread and records where it lives (against whatever version is current). */
export async function postCard(d: RemediationDeps, p: Proposal): Promise<Proposal> {
  const ts = await d.chat.post(p.channel, cardOf(d, p), p.threadTs ?? undefined);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await d.store.proposal(p.id);
    if (!current || current.cardTs) return current ?? p;
    // A card asked for by command stands in the channel; what follows goes into its thread.
    const saved = await d.store.updateProposal(
      { ...current, cardTs: ts, threadTs: current.threadTs ?? ts },
      current.version,
    );
    if (saved) return saved;
  }
  d.log.warn({ proposal: p.id }, "could not record where the approval card is");
  return p;
}

/** Shows the proposal's state on its card (the one clicked, when known); without a known card nothing is posted twice. */
export async function updateCard(d: RemediationDeps, p: Proposal, clickedTs?: string): Promise<void> {
  const ts = clickedTs ?? p.cardTs;
  if (ts) await d.chat.update(p.channel, ts, cardOf(d, p));
  else d.log.warn({ proposal: p.id, status: p.status }, "no approval card to update yet");
}

/** The parent message is the incident's live summary: its last block says what was last done, and how it went. */
export async function showLastAction(d: RemediationDeps, p: Proposal, outcome: string): Promise<void> {
  if (!p.threadTs || p.threadTs === p.cardTs) return; // asked by command: the card is its own parent
  const parent = await d.store.parent(p.channel, p.threadTs);
  if (!parent) return;
  const line = d.view.lastAction(p, outcome);
  const blocks = [
    ...parent.blocks.filter((b) => b["block_id"] !== "last-action"),
    { type: "context", block_id: "last-action", elements: [{ type: "mrkdwn", text: line }] },
  ];
  const next = { text: parent.text, blocks };
  await d.chat.update(p.channel, p.threadTs, next);
  await d.store.saveParent(p.channel, p.threadTs, next);
}
