/** A remediation someone may ask for, and its way through approval to execution. */
import type { GitOpsOwner } from "./gitops.ts";
import type { Plan } from "./plan.ts";
import type { Check } from "./preflight.ts";
import type { Route } from "./route.ts";
import { type Action, expirySeconds, listed, type Policy, ruleFor } from "./policy.ts";
import { err, ok, type Result } from "../result.ts";

/**
 * `approved`: decided, and being executed (an intent may be on record); `stale`: the API server refused
 * the change because the object is no longer what the card was made from; `superseded`: a newer request
 * for the same field took its place.
 */
export const PROPOSAL_STATUSES = [
  "offered",
  "pending",
  "approved",
  "executed",
  "failed",
  "denied",
  "expired",
  "handed-to-git",
  "stale",
  "superseded",
] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export interface Proposal {
  id: string;
  /** bumped by every change; a change applies only to the version it read (exactly once, across replicas) */
  version: number;
  status: ProposalStatus;
  plan: Plan;
  channel: string;
  threadTs: string | null;
  /** the approval card, once there is one */
  cardTs: string | null;
  requester: string | null;
  requestedAt: number | null;
  expiresAt: number | null;
  approvals: { user: string; at: number }[];
  requiredApprovals: number;
  decidedBy: string | null;
  decidedAt: number | null;
  gitOps: GitOpsOwner | null;
  /** where the change is applied once approved */
  route: Route;
  dryRun: string | null;
  /** pre-flight checks made when it was requested */
  preflight: Check[] | null;
  result: string | null;
  createdAt: number;
  /** the newer request that took this one's place */
  supersededBy?: string | null;
}

export interface Actor {
  user: string;
  groups: readonly string[];
}

const isExpired = (p: Proposal, now: number) => p.expiresAt !== null && now > p.expiresAt;

/** May this person ask for the proposal? Returns the proposal as it should be stored once asked. */
export function request(p: Proposal, actor: Actor, policy: Policy, now: number): Result<Proposal> {
  if (p.status !== "offered")
    return err(
      p.status === "pending" ? `already requested by <@${p.requester ?? ""}>` : `this was already ${p.status}`,
    );
  const rule = ruleFor(policy, p.plan.target.namespace, p.plan.action);
  if (!rule) return err(`no policy rule allows ${p.plan.action} in namespace ${p.plan.target.namespace}`);
  if (!listed(rule.request, actor.user, actor.groups))
    return err(`you may not ask for ${p.plan.action} in namespace ${p.plan.target.namespace}`);
  return ok({
    ...p,
    status: "pending",
    requester: actor.user,
    requestedAt: now,
    expiresAt: now + expirySeconds(policy),
    requiredApprovals: rule.approvals,
  });
}

export type ApprovalOutcome =
  { kind: "needs-more"; proposal: Proposal; remaining: number } | { kind: "execute"; proposal: Proposal };

/** One approval: who, whether they may, and whether it is the last one needed. */
export function approve(p: Proposal, actor: Actor, policy: Policy, now: number): Result<ApprovalOutcome> {
  if (p.status === "pending" && isExpired(p, now)) return err("this request has expired; ask again");
  if (p.status !== "pending")
    return err(p.decidedBy ? `already ${p.status} by <@${p.decidedBy}>` : `this request is ${p.status}`);
  if (p.requester === actor.user && !policy.selfApproval)
    return err("you asked for this change: another person must approve it");
  const rule = ruleFor(policy, p.plan.target.namespace, p.plan.action);
  if (!rule || !listed(rule.approve, actor.user, actor.groups))
    return err(`you are not an approver for ${p.plan.action} in namespace ${p.plan.target.namespace}`);
  if (p.approvals.some((a) => a.user === actor.user))
    return err("you already approved this; it needs another approver");
  const approvals = [...p.approvals, { user: actor.user, at: now }];
  if (approvals.length < p.requiredApprovals)
    return ok({ kind: "needs-more", proposal: { ...p, approvals }, remaining: p.requiredApprovals - approvals.length });
  return ok({
    kind: "execute",
    proposal: { ...p, approvals, status: "approved", decidedBy: actor.user, decidedAt: now },
  });
}

/** A denial by anyone who could approve (or by the requester, withdrawing). */
export function deny(p: Proposal, actor: Actor, policy: Policy, now: number): Result<Proposal> {
  if (p.status !== "pending") return err(`this request is ${p.status}`);
  const rule = ruleFor(policy, p.plan.target.namespace, p.plan.action);
  const may = p.requester === actor.user || (!!rule && listed(rule.approve, actor.user, actor.groups));
  if (!may) return err(`you are not an approver for ${p.plan.action} in namespace ${p.plan.target.namespace}`);
  return ok({ ...p, status: "denied", decidedBy: actor.user, decidedAt: now });
}

/** Pending and past its expiry: to be recorded as expired. */
export function expire(p: Proposal, now: number): Proposal | null {
  return p.status === "pending" && isExpired(p, now) ? { ...p, status: "expired", decidedAt: now } : null;
}

export type { Action };

/** Do two proposals change the same thing (same workload, action, container, autoscaler)? */
export function sameField(a: Proposal, b: Proposal): boolean {
  const t = a.plan.target,
    u = b.plan.target;
  return (
    t.kind === u.kind &&
    t.namespace === u.namespace &&
    t.name === u.name &&
    a.plan.action === b.plan.action &&
    a.plan.container === b.plan.container &&
    (a.plan.autoscaler ?? null) === (b.plan.autoscaler ?? null)
  );
}

/** A pending request that a newer one for the same field replaces: it can no longer be approved. */
export function supersede(p: Proposal, by: Proposal, now: number): Proposal | null {
  return p.status === "pending"
    ? { ...p, status: "superseded", supersededBy: by.id, result: by.plan.summary, decidedAt: now }
    : null;
}

/** A remediation offered (under a verdict, or by a command on its way to being requested): nothing decided yet. */
export function offered(o: {
  id: string;
  plan: Plan;
  channel: string;
  threadTs: string | null;
  gitOps: GitOpsOwner | null;
  route: Route;
  now: number;
}): Proposal {
  return {
    id: o.id,
    version: 1,
    status: "offered",
    plan: o.plan,
    channel: o.channel,
    threadTs: o.threadTs,
    cardTs: null,
    requester: null,
    requestedAt: null,
    expiresAt: null,
    approvals: [],
    requiredApprovals: 1,
    decidedBy: null,
    decidedAt: null,
    gitOps: o.gitOps,
    route: o.route,
    dryRun: null,
    preflight: null,
    result: null,
    createdAt: o.now,
  };
}
