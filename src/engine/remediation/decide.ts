import type { Logger } from "pino";
import { formatBytes } from "../../core/quantity.ts";
import type { Policy } from "../../core/remediation/policy.ts";
import type { GitOpsOwner } from "../../core/remediation/gitops.ts";
import type { Plan } from "../../core/remediation/plan.ts";
import { type Check, preflight } from "../../core/remediation/preflight.ts";
import type { Route } from "../../core/remediation/route.ts";
import { workloadKey } from "../../core/target.ts";
import { type Actor, approve, deny, expire, type Proposal, request } from "../../core/remediation/proposal.ts";
import { err, ok, type Result } from "../../core/result.ts";
import type { WorkloadObject } from "../../core/model.ts";
import { type Clock, type Cluster, PortError, type Store } from "../../ports.ts";

export interface DecideDeps {
  cluster: Cluster;
  store: Store;
  clock: Clock;
  policy: Policy;
  log: Logger;
}

/** An offered button older than this is from an old report: diagnose again for current numbers. */
const OFFER_LIFETIME = 24 * 3600;
const PLURAL = { deployment: "deployments", statefulset: "statefulsets", daemonset: "daemonsets", replicaset: "replicasets" } as const;
const now = (d: DecideDeps) => d.clock.now() / 1000;

async function load(d: DecideDeps, id: string, channel: string): Promise<Result<Proposal>> {
  const p = /^[A-Za-z0-9_-]{8,64}$/.test(id) ? await d.store.proposal(id) : null;
  if (!p) return err("memops has no such request (the button may be forged, or from another installation)");
  if (p.channel !== channel) return err("this request belongs to another channel");
  return ok(p);
}

/** What the server-side dry run says the workload would look like, for the paths the plan changes. */
function describeDryRun(p: Proposal, after: WorkloadObject): string {
  const c = p.plan.container ? after.template.containers.find((x) => x.name === p.plan.container) : undefined;
  const facts = p.plan.action === "raise-limit" && c ? `${c.name}: limit ${c.limitBytes === null ? "none" : formatBytes(c.limitBytes)}, request ${c.requestBytes === null ? "none" : formatBytes(c.requestBytes)}`
    : p.plan.action === "scale-out" ? `replicas ${after.replicas ?? "?"}`
    : `pod template annotations: ${Object.entries(after.template.annotations).map(([k, v]) => `${k}=${v}`).join(", ")}`;
  return `accepted by the API server (dry run): ${facts}; generation ${after.rollout.generation}`;
}

async function save(d: DecideDeps, next: Proposal, from: Proposal): Promise<Result<Proposal>> {
  const saved = await d.store.updateProposal(next, from.version);
  return saved ? ok(saved) : err("someone else acted on this request at the same moment; the card shows what happened");
}

/** A remediation asked for by command: stored like an offered one, then requested by the same person. */
export async function proposeRemediation(d: DecideDeps & { newId: () => string }, plan: Plan, actor: Actor, channel: string, gitOps: GitOpsOwner | null, route: Route): Promise<Result<Proposal>> {
  // With an open incident for the workload here, the card goes into its thread; else it stands alone.
  const incident = await d.store.openIncident(workloadKey(plan.target), channel);
  const p: Proposal = {
    id: d.newId(), version: 1, status: "offered", plan, channel, threadTs: incident?.threadTs ?? null, cardTs: null, requester: null, requestedAt: null, expiresAt: null,
    approvals: [], requiredApprovals: 1, decidedBy: null, decidedAt: null, gitOps, route, dryRun: null, preflight: null, result: null, createdAt: now(d),
  };
  await d.store.insertProposal(p);
  return requestRemediation(d, p.id, actor, channel);
}

/** A person asks for an offered remediation: policy check, server-side dry run, then pending approval. */
export async function requestRemediation(d: DecideDeps, id: string, actor: Actor, channel: string): Promise<Result<Proposal>> {
  const loaded = await load(d, id, channel);
  if (!loaded.ok) return loaded;
  const p = loaded.value;
  if (p.status === "offered" && now(d) - p.createdAt > OFFER_LIFETIME) return err("this button is from a report more than a day old: run /mem diagnose again");
  const asked = request(p, actor, d.policy, now(d));
  if (!asked.ok) return asked;
  if (p.route.kind === "git") return save(d, { ...asked.value, status: "handed-to-git", result: p.route.why }, p);
  let dryRun: string;
  let checks: Check[];
  try {
    const route = p.route;
    const [after, facts, current] = await Promise.all([
      route.kind === "helm-release" ? d.cluster.patchHelmRelease({ namespace: route.namespace, name: route.name }, route.patch, { dryRun: true })
        : route.kind === "autoscaler" ? d.cluster.patchAutoscaler({ namespace: route.namespace, name: route.name }, route.patch, { dryRun: true })
        : d.cluster.patchWorkload(p.plan.target, p.plan.patch, { dryRun: true }),
      d.cluster.preflightFacts(p.plan.target),
      d.cluster.getWorkload(p.plan.target.namespace, p.plan.target.kind, p.plan.target.name),
    ]);
    dryRun = typeof after !== "number" ? describeDryRun(asked.value, after)
      : route.kind === "autoscaler" ? `accepted by the API server (dry run): HorizontalPodAutoscaler ${route.namespace}/${route.name}`
      : `accepted by the API server (dry run): HelmRelease ${route.kind === "helm-release" ? `${route.namespace}/${route.name}` : ""} values; generation ${after}`;
    checks = current ? preflight(p.plan, current, facts) : [];
  } catch (e) {
    if (!(e instanceof PortError)) throw e;
    const failed = await save(d, { ...asked.value, status: "failed", result: `refused in a dry run: ${e.message}` }, p);
    return failed.ok ? err(`the API server refused this change in a dry run: ${e.message}`) : failed;
  }
  const blocking = checks.filter((c) => c.blocking && !c.ok);
  if (blocking.length > 0) {
    const why = blocking.map((c) => c.text).join("; ");
    const failed = await save(d, { ...asked.value, status: "failed", preflight: checks, dryRun, result: `pre-flight: ${why}` }, p);
    return failed.ok ? err(`this change would fail after approval: ${why}`) : failed;
  }
  return save(d, { ...asked.value, dryRun, preflight: checks }, p);
}

export type Approved = { kind: "needs-more"; proposal: Proposal; remaining: number } | { kind: "executed" | "failed"; proposal: Proposal };

/**
 * An approval. The approver must be allowed by the policy and, in Kubernetes, allowed to make the
 * change themselves; the compare-and-set on the stored version lets exactly one click execute.
 */
export async function approveRemediation(d: DecideDeps, id: string, actor: Actor, channel: string): Promise<Result<Approved>> {
  const loaded = await load(d, id, channel);
  if (!loaded.ok) return loaded;
  const p = loaded.value;
  const expired = expire(p, now(d));
  if (expired) {
    await d.store.updateProposal(expired, p.version);
    return err("this request has expired; ask again");
  }
  const decided = approve(p, actor, d.policy, now(d));
  if (!decided.ok) return decided;
  const identity = d.policy.identities[actor.user];
  if (!identity) return err("no Kubernetes identity is mapped to you in the policy, so memops cannot check that you may make this change yourself");
  const t = p.plan.target;
  // The permission that counts is on the object memops will change: the HelmRelease when Flux owns the workload.
  const object = p.route.kind === "helm-release" ? { group: "helm.toolkit.fluxcd.io", resource: "helmreleases", namespace: p.route.namespace, name: p.route.name }
    : p.route.kind === "autoscaler" ? { group: "autoscaling", resource: "horizontalpodautoscalers", namespace: p.route.namespace, name: p.route.name }
    : { group: "apps", resource: PLURAL[t.kind], namespace: t.namespace, name: t.name };
  const allowed = await d.cluster.mayDo(identity, { verb: "patch", ...object });
  if (!allowed) return err(`your Kubernetes identity (${identity.user}) may not patch ${object.resource}/${object.name} in ${object.namespace}, so you cannot approve it`);
  const saved = await save(d, decided.value.proposal, p);
  if (!saved.ok) return saved;
  if (decided.value.kind === "needs-more") return ok({ kind: "needs-more", proposal: saved.value, remaining: decided.value.remaining });
  const log = d.log.child({ proposal: p.id, action: p.plan.action, target: `${t.kind}/${t.name}`, namespace: t.namespace, approver: actor.user, identity: identity.user });
  try {
    const route = p.route;
    const result = route.kind === "helm-release"
      ? `HelmRelease ${route.namespace}/${route.name} values changed (generation ${await d.cluster.patchHelmRelease({ namespace: route.namespace, name: route.name }, route.patch, { dryRun: false })}); Flux reconciles it`
      : route.kind === "autoscaler"
        ? ((await d.cluster.patchAutoscaler({ namespace: route.namespace, name: route.name }, route.patch, { dryRun: false })), `HorizontalPodAutoscaler ${route.namespace}/${route.name} changed; it scales the workload itself`)
        : `patched; generation ${(await d.cluster.patchWorkload(t, p.plan.patch, { dryRun: false })).rollout.generation}`;
    log.info({ patch: route.kind === "helm-release" || route.kind === "autoscaler" ? route.patch : p.plan.patch, route: route.kind, result }, "remediation executed");
    const done = await save(d, { ...saved.value, status: "executed", result }, saved.value);
    return done.ok ? ok({ kind: "executed", proposal: done.value }) : done;
  } catch (e) {
    if (!(e instanceof PortError)) throw e;
    log.warn({ code: e.code, reason: e.message }, "remediation failed");
    const failed = await save(d, { ...saved.value, status: "failed", result: e.message }, saved.value);
    return failed.ok ? ok({ kind: "failed", proposal: failed.value }) : failed;
  }
}

export async function denyRemediation(d: DecideDeps, id: string, actor: Actor, channel: string): Promise<Result<Proposal>> {
  const loaded = await load(d, id, channel);
  if (!loaded.ok) return loaded;
  const denied = deny(loaded.value, actor, d.policy, now(d));
  return denied.ok ? save(d, denied.value, loaded.value) : denied;
}

/** Records every pending request past its expiry as expired; returns them so their cards can say so. */
export async function expireRemediations(d: Pick<DecideDeps, "store" | "clock">): Promise<Proposal[]> {
  const out: Proposal[] = [];
  for (const p of await d.store.expiredProposals(d.clock.now() / 1000)) {
    const e = expire(p, d.clock.now() / 1000);
    const saved = e ? await d.store.updateProposal(e, p.version) : null;
    if (saved) out.push(saved);
  }
  return out;
}
