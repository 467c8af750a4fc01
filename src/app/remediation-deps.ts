import type { Recheck } from "../engine/remediation/recheck.ts";
import type { Logger } from "pino";
import type { PolicyRule } from "../core/remediation/policy.ts";
import type { Policy } from "../core/remediation/policy.ts";
import type { Proposal } from "../core/remediation/proposal.ts";
import type { Verification } from "../engine/remediation/verify.ts";
import type { Chat, ChatMessage, Clock, Cluster, Store } from "../ports.ts";
import type { AuditTrail } from "./audit-trail.ts";

/** How the remediation use cases' messages look; the Slack adapter renders them (Block Kit). */
export interface RemediationView {
  /** the approval card while pending, the record of the decision after */
  card(p: Proposal, rule: PolicyRule | undefined): ChatMessage;
  /** the thread message after an execution: done, failed, or refused because the object changed */
  outcome(p: Proposal): ChatMessage;
  verified(p: Proposal, v: Verification, onCall: string | null): ChatMessage;
  /** a day or a week later: did the fix hold? */
  rechecked(p: Proposal, afterSeconds: number, r: Recheck): ChatMessage;
  /** after a crash: what memops found on the cluster for an execution it had not recorded the end of */
  reconciled(p: Proposal, inEffect: boolean | null): ChatMessage;
  /** the parent's "Last action" line */
  lastAction(p: Proposal, outcome: string): string;
}

export interface RemediationDeps {
  cluster: Cluster;
  store: Store;
  clock: Clock;
  policy: Policy;
  audit: AuditTrail;
  chat: Chat;
  view: RemediationView;
  log: Logger;
  newId: () => string;
}

/** "deployment/api -n shop": how the audit log names a proposal's workload. */

/** A message only the person who clicked sees, in the thread they clicked in. */
export async function tell(
  d: Pick<RemediationDeps, "chat" | "log">,
  where: { channel: string; user: string; threadTs: string | null },
  text: string,
): Promise<void> {
  await d.chat
    .whisper(where.channel, where.user, { text, blocks: [] }, where.threadTs ?? undefined)
    .catch((e: unknown) => d.log.warn({ err: e }, "could not tell the user"));
}
