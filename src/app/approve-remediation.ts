/**
 * A second person approves: policy and Kubernetes permission checked, the decision taken exactly once
 * (compare-and-set), the intent put on the record before the API call, the outcome after.
 */
import { identityFor } from "../core/remediation/policy.ts";
import { type Actor, approve, expire, type Proposal } from "../core/remediation/proposal.ts";
import { err, ok, type Result } from "../core/result.ts";
import { executorFor } from "../engine/remediation/executors/index.ts";
import { PortError } from "../ports.ts";
import { loadProposal, saveProposal } from "./proposals.ts";
import { updateCard } from "./remediation-cards.ts";
import type { RemediationDeps } from "./remediation-deps.ts";
import type { Verifier } from "./verify-remediation.ts";

export type ApproveOutcome =
  { kind: "refused"; reason: string } | { kind: "needs-more"; proposal: Proposal; remaining: number } | Ran;

/** executed: it ran; failed: the API server refused it; stale: the object changed since the card; not-recorded: nothing ran, the audit log failed */
type Ran = { kind: "executed" | "failed" | "stale" | "not-recorded"; proposal: Proposal };

/** What the change is, in the audit log's own words: the incident summary reads it back. */
const planDetails = (p: Proposal) => ({ action: p.plan.action, container: p.plan.container, changes: p.plan.changes });

/** Who approved, as the audit log names them. */
const identityOf = (d: RemediationDeps, user: string) => identityFor(d.policy, user)?.user ?? null;

async function decide(
  d: RemediationDeps,
  id: string,
  actor: Actor,
  channel: string,
): Promise<Result<{ kind: "needs-more" | "execute"; proposal: Proposal; remaining: number }>> {
  const loaded = await loadProposal(d, id, channel);
  if (!loaded.ok) return loaded;
  const p = loaded.value;
  const expired = expire(p, d.clock.now());
  if (expired) {
    await d.store.updateProposal(expired, p.version);
    return err("this request has expired; ask again");
  }
  const decided = approve(p, actor, d.policy, d.clock.now());
  if (!decided.ok) return decided;
  const identity = identityFor(d.policy, actor.user);
  if (!identity)
    return err(
      "no Kubernetes identity is mapped to you in the policy, so memops cannot check that you may make this change yourself",
    );
  const executor = executorFor(p.route);
  if (!executor) return err("this change is handed to Git; there is nothing for memops to run");
  // The permission that counts is on the object memops will change: the HelmRelease when Flux owns the workload.
  const object = executor.object(p);
  if (!(await d.cluster.mayDo(identity, { verb: "patch", ...object }))) {
    return err(
      `your Kubernetes identity (${identity.user}) may not patch ${object.resource}/${object.name} in ${object.namespace}, so you cannot approve it`,
    );
  }
  const saved = await saveProposal(d, decided.value.proposal, p);
  if (!saved.ok) return saved;
  return ok({
    kind: decided.value.kind,
    proposal: saved.value,
    remaining: decided.value.kind === "needs-more" ? decided.value.remaining : 0,
  });
}

/** The audit log refused an entry that must precede the change: nothing is sent, and the proposal says why. */
async function notRecorded(d: RemediationDeps, p: Proposal, entry: "approval" | "intent", e: unknown): Promise<Ran> {
  d.log.error({ err: e, proposal: p.id }, `the ${entry} could not be recorded: nothing was sent`);
  const failed = await saveProposal(
    d,
    {
      ...p,
      status: "failed",
      result: `not executed: the audit log could not record the ${entry}, so memops sent nothing`,
    },
    p,
  );
  return { kind: "not-recorded", proposal: failed.ok ? failed.value : p };
}

type Sent = { status: "executed" | "failed" | "stale"; result: string };

/** The API call itself: its outcome, a precondition that no longer holds told as what changed. */
async function send(d: RemediationDeps, p: Proposal, executor: NonNullable<ReturnType<typeof executorFor>>) {
  try {
    return { status: "executed", result: await executor.apply(d.cluster, p) } satisfies Sent;
  } catch (e) {
    if (!(e instanceof PortError)) throw e;
    if (e.code !== "conflict") return { status: "failed", result: e.message } satisfies Sent;
    const drift = await executor.drift(d.cluster, p).catch(() => "the object changed since this card was made");
    return { status: "stale", result: drift } satisfies Sent;
  }
}

const OUTCOME: Record<Sent["status"], (result: string) => string> = {
  executed: (r) => `ok: ${r}`,
  stale: (r) => `refused by the API server, the object changed: ${r}`,
  failed: (r) => `failed: ${r}`,
};

/** Sends the approved change; the outcome is recorded before the proposal says so, so a crash leaves it for reconciliation. */
async function execute(d: RemediationDeps, p: Proposal, approver: string): Promise<Ran> {
  const executor = executorFor(p.route);
  if (!executor) throw new Error(`proposal ${p.id} has no executor`);
  const sent = executor.sent(p);
  const entry = {
    slackUser: approver,
    kubernetesIdentity: `memops (service account), approved as ${identityOf(d, approver) ?? "?"}`,
    target: p.plan.target,
    what: p.plan.summary,
  };
  const details = { proposal: p.id, version: p.version, route: p.route.kind, ...planDetails(p), patch: sent };
  try {
    await d.audit.record({
      ...entry,
      kind: "intent",
      outcome: "about to send",
      details: { ...details, requester: p.requester, approvals: p.approvals },
    });
  } catch (e) {
    return notRecorded(d, p, "intent", e);
  }
  const { status, result } = await send(d, p, executor);
  d.log.info({ proposal: p.id, route: p.route.kind, patch: sent, status, result }, "remediation sent");
  await d.audit.record({
    ...entry,
    kind: "mutation",
    outcome: OUTCOME[status](result),
    details: { ...details, dryRun: p.dryRun, requester: p.requester, approvals: p.approvals },
  });
  const done = await saveProposal(d, { ...p, status, result }, p);
  return done.ok ? { kind: status, proposal: done.value } : { kind: status, proposal: { ...p, status, result } };
}

export async function approveRemediation(
  d: RemediationDeps & { verifier: Verifier },
  id: string,
  actor: Actor,
  channel: string,
  clickedTs?: string,
): Promise<ApproveOutcome> {
  const decided = await decide(d, id, actor, channel);
  const p = decided.ok ? decided.value.proposal : null;
  const record = (outcome: string) =>
    d.audit.record({
      kind: "approval",
      slackUser: actor.user,
      kubernetesIdentity: identityOf(d, actor.user),
      target: p ? p.plan.target : null,
      what: p ? p.plan.summary : `button on proposal ${id.slice(0, 64)}`,
      outcome,
      details: { proposal: id.slice(0, 64) },
    });
  if (!decided.ok) {
    await record(`refused: ${decided.error}`);
    return { kind: "refused", reason: decided.error };
  }
  const { kind, proposal, remaining } = decided.value;
  if (kind === "needs-more") {
    await record(`approved, ${remaining} more needed`);
    await updateCard(d, proposal, clickedTs);
    return { kind: "needs-more", proposal, remaining };
  }
  let outcome: Ran | undefined;
  try {
    await record("approved");
  } catch (e) {
    outcome = await notRecorded(d, proposal, "approval", e);
  }
  // A failure to record the outcome after the change was sent propagates: the proposal stays approved and is reconciled.
  outcome ??= await execute(d, proposal, actor.user);
  await updateCard(d, outcome.proposal, clickedTs);
  if (outcome.kind === "executed") await d.verifier.start(outcome.proposal);
  if (outcome.kind !== "not-recorded")
    await d.chat.post(
      outcome.proposal.channel,
      d.view.outcome(outcome.proposal),
      outcome.proposal.threadTs ?? undefined,
    );
  if (outcome.kind === "executed") d.verifier.watch(outcome.proposal, null);
  return outcome;
}
