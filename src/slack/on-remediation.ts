import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Logger } from "pino";
import { ruleFor, type Policy } from "../core/remediation/policy.ts";
import type { Proposal } from "../core/remediation/proposal.ts";
import { type Approved, approveRemediation, type DecideDeps, denyRemediation, expireRemediations, proposeRemediation, requestRemediation } from "../engine/remediation/decide.ts";
import type { GitOpsOwner } from "../core/remediation/gitops.ts";
import type { Plan } from "../core/remediation/plan.ts";
import type { Route } from "../core/remediation/route.ts";
import type { Result } from "../core/result.ts";
import type { AuditTrail } from "../audit-trail.ts";
import type { AuditKind } from "../core/audit.ts";
import { workloadKey } from "../core/target.ts";

const targetOf = (p: Proposal) => workloadKey(p.plan.target);
import type { Chat, Clock, Cluster, Directory, MemoryMetrics, Store } from "../ports.ts";
import { type VerifyOptions, verifyRemediation } from "../engine/remediation/verify.ts";
import { approvalCard, decidedCard } from "./render/remediation.ts";

export interface RemediationDeps {
  /** this process, as owner of verification watches */
  replicaId: string;
  /** how long a watch stays ours without renewal; after that another replica takes it over */
  leaseSeconds: number;
  newId: () => string;
  audit: AuditTrail;
  cluster: Cluster;
  metrics: MemoryMetrics | null;
  verify: VerifyOptions;
  sleep(ms: number): Promise<void>;
  store: Store;
  clock: Clock;
  policy: Policy;
  directory: Directory;
  chat: Chat;
  log: Logger;
}

const cardOf = (d: RemediationDeps, p: Proposal) => (p.status === "pending" ? approvalCard(p, ruleFor(d.policy, p.plan.target.namespace, p.plan.action)) : decidedCard(p));

/** Posts the approval card in the thread and records where it lives (against whatever version is current). */
async function postCard(d: RemediationDeps, p: Proposal): Promise<void> {
  const ts = await d.chat.post(p.channel, cardOf(d, p), p.threadTs ?? undefined);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await d.store.proposal(p.id);
    if (!current || current.cardTs) return;
    // A card asked for by command stands in the channel; what follows goes into its thread.
    if (await d.store.updateProposal({ ...current, cardTs: ts, threadTs: current.threadTs ?? ts }, current.version)) return;
  }
  d.log.warn({ proposal: p.id }, "could not record where the approval card is");
}

/** Shows a decision on the card (the one clicked, when known); without a known card nothing is posted twice. */
async function updateCard(d: RemediationDeps, p: Proposal, clickedTs?: string): Promise<void> {
  const ts = clickedTs ?? p.cardTs;
  if (ts) await d.chat.update(p.channel, ts, cardOf(d, p));
  else d.log.warn({ proposal: p.id, status: p.status }, "no approval card to update yet");
}

class WatchLost extends Error {
  readonly code = "watch-lost";
}

/**
 * Watches an executed remediation under a lease (renewed while it waits) and posts the outcome in the
 * thread, escalating when it must. Only the watch's current owner reports: a replica that lost it stays quiet.
 */
async function verifyAndReport(d: RemediationDeps, p: Proposal, windowSeconds: number, signal: AbortSignal): Promise<void> {
  const now = () => d.clock.now() / 1000;
  const chunkMs = Math.max(1, (d.leaseSeconds * 1000) / 3);
  const sleep = async (ms: number) => {
    for (let left = ms; left > 0; left -= chunkMs) {
      if (signal.aborted || !(await d.store.renewWatch(p.id, d.replicaId, now() + d.leaseSeconds))) throw new WatchLost();
      await d.sleep(Math.min(left, chunkMs));
    }
  };
  const v = await verifyRemediation({ cluster: d.cluster, metrics: d.metrics, clock: d.clock, sleep }, p, { ...d.verify, windowSeconds });
  if (signal.aborted || !(await d.store.finishWatch(p.id, d.replicaId))) return;
  const onCall = ruleFor(d.policy, p.plan.target.namespace, p.plan.action)?.onCall;
  const head = v.verified ? `:white_check_mark: *Verified:* ${p.plan.summary}` : `:x: *Not verified:* ${p.plan.summary}`;
  const escalate = v.escalation ? `\n:rotating_light: ${onCall ? `<!subteam^${onCall}> ` : ""}escalating: ${v.escalation}` : "";
  d.log.info({ proposal: p.id, verified: v.verified, lines: v.lines, escalation: v.escalation }, "remediation verified");
  await d.audit.record({ kind: "verification", slackUser: null, target: targetOf(p), what: p.plan.summary, outcome: v.verified ? "verified" : "not verified", details: { proposal: p.id, lines: v.lines } });
  if (v.escalation) await d.audit.record({ kind: "escalation", slackUser: null, target: targetOf(p), what: `escalated to ${onCall ?? "no on-call group (none in the policy)"}`, outcome: v.escalation, details: { proposal: p.id } });
  await showLastAction(d, p, `${v.verified ? ":white_check_mark: verified" : ":x: not verified"}${v.escalation ? " · :rotating_light: escalated" : ""}`);
  await d.chat.post(p.channel, {
    text: `${v.verified ? "Verified" : "Not verified"}: ${p.plan.summary}`,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: `${head}\n${v.lines.map((l) => `• ${l}`).join("\n")}${escalate}` } }],
  }, p.threadTs ?? undefined);
}

/** The parent message is the incident's live summary: its last block says what was last done, and how it went. */
async function showLastAction(d: RemediationDeps, p: Proposal, outcome: string): Promise<void> {
  if (!p.threadTs || p.threadTs === p.cardTs) return; // asked by command: the card is its own parent
  const parent = await d.store.parent(p.channel, p.threadTs);
  if (!parent) return;
  const line = `*Last action:* ${p.plan.summary} — approved by <@${p.decidedBy ?? ""}>, ${outcome}`;
  const blocks = [...parent.blocks.filter((b) => b["block_id"] !== "last-action"), { type: "context", block_id: "last-action", elements: [{ type: "mrkdwn", text: line }] }];
  const next = { text: parent.text, blocks };
  await d.chat.update(p.channel, p.threadTs, next);
  await d.store.saveParent(p.channel, p.threadTs, next);
}

export interface RemediationHandlers {
  /** takes over verification watches whose replica stopped renewing them (also runs every 10 s) */
  resumeWatches(): Promise<void>;
  /** stops this replica's watches without reporting, as a crash would */
  abort(): void;
  /** asks for a planned remediation on someone's behalf (a /mem command) and posts its approval card */
  propose(plan: Plan, gitOps: GitOpsOwner | null, route: Route, user: string, channel: string): Promise<Result<Proposal>>;
  sweepExpired(): Promise<void>;
  /** resolves when every verification started so far has reported */
  idle(): Promise<void>;
}

/** Buttons on verdicts and approval cards. Each click is acknowledged at once, then decided exactly once. */
export function registerRemediationActions(app: App, d: RemediationDeps): RemediationHandlers {
  const running = new Set<Promise<void>>();
  const lifetime = new AbortController();
  const watch = (p: Proposal, windowSeconds: number, log: Logger) => {
    const task = verifyAndReport(d, p, windowSeconds, lifetime.signal).catch((e: unknown) => {
      if (e instanceof WatchLost) log.info({ proposal: p.id }, "verification watch handed over");
      else log.error({ err: e }, "verification failed");
    });
    running.add(task);
    void task.finally(() => running.delete(task));
  };
  const deps: DecideDeps = { cluster: d.cluster, store: d.store, clock: d.clock, policy: d.policy, log: d.log };
  const decided = (kind: AuditKind, user: string, id: string, r: Result<Proposal>, extra: Record<string, unknown> = {}) => d.audit.record({
    kind, slackUser: user, target: r.ok ? targetOf(r.value) : null, what: r.ok ? r.value.plan.summary : `button on proposal ${id.slice(0, 64)}`,
    outcome: r.ok ? r.value.status : `refused: ${r.error}`, details: { proposal: id.slice(0, 64), ...extra },
  });
  app.action<BlockAction<ButtonAction>>(/^mem:(request|approve|deny)(:\d+)?$/, async ({ ack, body, action, respond }) => {
    await ack();
    const kind = action.action_id.split(":")[1];
    const user = body.user.id;
    const channel = body.channel?.id ?? "";
    const clickedTs = kind === "request" ? undefined : body.container?.message_ts as string | undefined;
    const log = d.log.child({ user, channel, click: kind, proposal: action.value });
    const tell = (text: string) => respond({ response_type: "ephemeral", replace_original: false, text });
    const actor = { user, groups: await d.directory.groupsOf(user) };
    if (kind === "request") {
      const r = await requestRemediation(deps, action.value ?? "", actor, channel);
      log.info({ ok: r.ok, ...(r.ok ? {} : { reason: r.error }) }, "remediation requested");
      await decided("request", user, action.value ?? "", r, r.ok ? { dryRun: r.value.dryRun, preflight: r.value.preflight, route: r.value.route.kind } : {});
      if (!r.ok) return void (await tell(r.error));
      await postCard(d, r.value);
      return;
    }
    if (kind === "deny") {
      const r = await denyRemediation(deps, action.value ?? "", actor, channel);
      log.info({ ok: r.ok, ...(r.ok ? {} : { reason: r.error }) }, "remediation denied");
      await decided("denial", user, action.value ?? "", r);
      if (!r.ok) return void (await tell(r.error));
      await updateCard(d, r.value, clickedTs);
      return;
    }
    const r = await approveRemediation(deps, action.value ?? "", actor, channel);
    log.info({ ok: r.ok, ...(r.ok ? { outcome: r.value.kind } : { reason: r.error }) }, "remediation approval");
    const identity = d.policy.identities[user]?.user ?? null;
    await d.audit.record({
      kind: "approval", slackUser: user, kubernetesIdentity: identity, target: r.ok ? targetOf(r.value.proposal) : null,
      what: r.ok ? r.value.proposal.plan.summary : `button on proposal ${(action.value ?? "").slice(0, 64)}`,
      outcome: r.ok ? (r.value.kind === "needs-more" ? `approved, ${r.value.remaining} more needed` : r.value.kind) : `refused: ${r.error}`, details: { proposal: (action.value ?? "").slice(0, 64) },
    });
    if (r.ok && r.value.kind !== "needs-more") {
      const p = r.value.proposal;
      await d.audit.record({
        kind: "mutation", slackUser: user, kubernetesIdentity: "memops (service account), approved as " + (identity ?? "?"), target: targetOf(p), what: p.plan.summary,
        outcome: r.value.kind === "executed" ? `ok: ${p.result ?? ""}` : `failed: ${p.result ?? ""}`,
        details: { proposal: p.id, route: p.route.kind, patch: p.route.kind === "helm-release" || p.route.kind === "autoscaler" ? p.route.patch : p.plan.patch, dryRun: p.dryRun, requester: p.requester, approvals: p.approvals },
      });
    }
    if (!r.ok) return void (await tell(r.error));
    const outcome: Approved = r.value;
    await updateCard(d, outcome.proposal, clickedTs);
    if (outcome.kind === "needs-more") return void (await tell(`Approved. It needs ${outcome.remaining} more approval${outcome.remaining === 1 ? "" : "s"}.`));
    const p = outcome.proposal;
    // Record the verification watch before saying "Done": if this replica dies now, another resumes it.
    if (outcome.kind === "executed") {
      const startedAt = d.clock.now() / 1000;
      await d.store.startWatch({ proposalId: p.id, startedAt, windowSeconds: d.verify.windowSeconds, owner: d.replicaId, leaseUntil: startedAt + d.leaseSeconds });
    }
    await d.chat.post(p.channel, {
      text: outcome.kind === "executed" ? `Done: ${p.plan.summary}` : `Failed: ${p.plan.summary}`,
      blocks: [{ type: "section", text: { type: "mrkdwn", text: outcome.kind === "executed"
        ? `:white_check_mark: *Done:* ${p.plan.summary} (approved by <@${user}>, requested by <@${p.requester ?? ""}>): ${p.result ?? ""}`
        : `:x: *Failed:* ${p.plan.summary}: ${p.result ?? ""}` } }],
    }, p.threadTs ?? undefined);
    if (outcome.kind !== "executed") return;
    watch(p, d.verify.windowSeconds, log);
  });
  return {
    async propose(plan, gitOps, route, user, channel) {
      const r = await proposeRemediation({ ...deps, newId: d.newId }, plan, { user, groups: await d.directory.groupsOf(user) }, channel, gitOps, route);
      d.log.info({ user, channel, action: plan.action, ok: r.ok, ...(r.ok ? { proposal: r.value.id } : { reason: r.error }) }, "remediation asked for by command");
      await d.audit.record({ kind: "request", slackUser: user, target: workloadKey(plan.target), what: plan.summary, outcome: r.ok ? r.value.status : `refused: ${r.error}`, details: r.ok ? { proposal: r.value.id, dryRun: r.value.dryRun } : {} });
      if (r.ok) await postCard(d, r.value);
      return r;
    },
    async sweepExpired() {
      for (const p of await expireRemediations(deps)) {
        d.log.info({ proposal: p.id }, "remediation request expired");
        await d.audit.record({ kind: "expiry", slackUser: null, target: targetOf(p), what: p.plan.summary, outcome: "expired", details: { proposal: p.id, requester: p.requester } });
        await updateCard(d, p);
      }
    },
    async resumeWatches() {
      for (;;) {
        const now = d.clock.now() / 1000;
        const w = await d.store.claimExpiredWatch(d.replicaId, now, now + d.leaseSeconds);
        if (!w) return;
        const p = await d.store.proposal(w.proposalId);
        if (!p) continue;
        d.log.info({ proposal: p.id, from: "an expired lease" }, "verification watch taken over");
        watch(p, Math.max(0, w.windowSeconds - (now - w.startedAt)), d.log);
      }
    },
    abort() {
      lifetime.abort();
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
