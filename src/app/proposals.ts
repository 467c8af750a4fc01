/** Loading and saving proposals as every use case does: ids checked, changes compare-and-set. */
import type { Proposal } from "../core/remediation/proposal.ts";
import { err, ok, type Result } from "../core/result.ts";
import type { Store } from "../ports.ts";

const ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A proposal a button names; forged ids and other channels' buttons are refused. */
export async function loadProposal(d: { store: Store }, id: string, channel: string): Promise<Result<Proposal>> {
  const p = ID.test(id) ? await d.store.proposal(id) : null;
  if (!p) return err("memops has no such request (the button may be forged, or from another installation)");
  if (p.channel !== channel) return err("this request belongs to another channel");
  return ok(p);
}

/** Saves `next` if `from` is still the stored version; else someone else acted first. */
export async function saveProposal(d: { store: Store }, next: Proposal, from: Proposal): Promise<Result<Proposal>> {
  const saved = await d.store.updateProposal(next, from.version);
  return saved ? ok(saved) : err("someone else acted on this request at the same moment; the card shows what happened");
}
