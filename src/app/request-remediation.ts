/** Someone asks for a remediation (a button under a verdict, or a /mem command): dry run, pre-flight, approval card. */
import type { GitOpsOwner } from "../core/remediation/gitops.ts";
import type { Plan } from "../core/remediation/plan.ts";
import { type Check, oomFloorCheck, preflight } from "../core/remediation/preflight.ts";
import type { WorkloadObject } from "../core/model.ts";
import { type Actor, offered, type Proposal, request, sameField, supersede } from "../core/remediation/proposal.ts";
import type { Route } from "../core/remediation/route.ts";
import { err, ok, type Result } from "../core/result.ts";
import { executorFor } from "../engine/remediation/executors/index.ts";
import { PortError } from "../ports.ts";
import { loadProposal, saveProposal } from "./proposals.ts";
import { postCard, updateCard } from "./remediation-cards.ts";
import type { RemediationDeps } from "./remediation-deps.ts";

/** An offered button older than this is from an old report: diagnose again for current numbers. */
const OFFER_LIFETIME = 24 * 3600;

/** Was this container of the workload OOM-killed (its last or current termination)? One page of its pods. */
async function oomKilled(d: RemediationDeps, w: WorkloadObject, container: string | null): Promise<boolean> {
  if (!container || !w.selector) return false;
  const pods = await d.cluster.listPods(w.namespace, { labelSelector: w.selector, limit: 100 });
  const killed = (t: { reason: string | null } | null) => t?.reason === "OOMKilled";
  return pods.items.some((p) =>
    p.statuses.some((s) => s.name === container && (killed(s.lastTerminated) || killed(s.terminated))),
  );
}

/** A HelmRelease route pins the release's version as the card sees it; other routes pin their own values. */
async function pinned(d: RemediationDeps, asked: Proposal): Promise<Proposal> {
  const r = asked.route;
  if (r.kind !== "helm-release" || r.resourceVersion !== undefined) return asked;
  const version = await d.cluster.helmReleaseVersion({ namespace: r.namespace, name: r.name });
  return version === null ? asked : { ...asked, route: { ...r, resourceVersion: version } };
}

/** The dry run and pre-flight checks; a refusal is stored on the proposal and returned as the reason. */
async function check(d: RemediationDeps, unpinned: Proposal, from: Proposal): Promise<Result<Proposal>> {
  let asked = unpinned;
  const executor = executorFor(asked.route);
  if (!executor)
    return saveProposal(
      d,
      { ...asked, status: "handed-to-git", result: asked.route.kind === "git" ? asked.route.why : null },
      from,
    );
  let dryRun: string;
  let checks: Check[];
  try {
    asked = await pinned(d, unpinned);
    const t = asked.plan.target;
    const [said, facts, current] = await Promise.all([
      executor.dryRun(d.cluster, asked),
      d.cluster.preflightFacts(t),
      d.cluster.getWorkload(t.namespace, t.kind, t.name),
    ]);
    dryRun = said;
    const floor = current
      ? oomFloorCheck(asked.plan, current, await oomKilled(d, current, asked.plan.container))
      : null;
    checks = current ? [...preflight(asked.plan, current, facts), ...(floor ? [floor] : [])] : [];
  } catch (e) {
    if (!(e instanceof PortError)) throw e;
    if (e.code === "conflict") {
      const why = await executor.drift(d.cluster, asked).catch(() => "the object changed since the report");
      const stale = await saveProposal(d, { ...asked, status: "stale", result: why }, from);
      return stale.ok
        ? err(`this button was made for another state of the workload (${why}): run /mem diagnose again`)
        : stale;
    }
    const failed = await saveProposal(
      d,
      { ...asked, status: "failed", result: `refused in a dry run: ${e.message}` },
      from,
    );
    return failed.ok ? err(`the API server refused this change in a dry run: ${e.message}`) : failed;
  }
  const blocking = checks.filter((c) => c.blocking && !c.ok);
  if (blocking.length > 0) {
    const why = blocking.map((c) => c.text).join("; ");
    const failed = await saveProposal(
      d,
      { ...asked, status: "failed", preflight: checks, dryRun, result: `pre-flight: ${why}` },
      from,
    );
    return failed.ok ? err(`this change would fail after approval: ${why}`) : failed;
  }
  return saveProposal(d, { ...asked, dryRun, preflight: checks }, from);
}

/** Older pending requests for the same field can no longer be approved: their cards say what replaced them. */
async function supersedeOlder(d: RemediationDeps, p: Proposal): Promise<void> {
  for (const old of await d.store.proposalsFor(p.plan.target, "pending")) {
    if (old.id === p.id || !sameField(old, p)) continue;
    const next = supersede(old, p, d.clock.now());
    const saved = next ? await d.store.updateProposal(next, old.version) : null;
    if (!saved) continue;
    await d.audit.record({
      kind: "supersession",
      slackUser: p.requester,
      target: p.plan.target,
      what: old.plan.summary,
      outcome: `superseded by ${p.plan.summary}`,
      details: { proposal: old.id, by: p.id },
    });
    await updateCard(d, saved);
  }
}

/** A person asks for an offered remediation: policy, dry run and pre-flight, then a pending approval card. */
export async function requestRemediation(
  d: RemediationDeps,
  id: string,
  actor: Actor,
  channel: string,
): Promise<Result<Proposal>> {
  const r = await requestOnce(d, id, actor, channel);
  const loaded = r.ok ? r.value : await d.store.proposal(id).catch(() => null);
  await d.audit.record({
    kind: "request",
    slackUser: actor.user,
    target: loaded && loaded.channel === channel ? loaded.plan.target : null,
    what: loaded && loaded.channel === channel ? loaded.plan.summary : `button on proposal ${id.slice(0, 64)}`,
    outcome: r.ok ? r.value.status : `refused: ${r.error}`,
    details: {
      proposal: id.slice(0, 64),
      ...(r.ok ? { dryRun: r.value.dryRun, preflight: r.value.preflight, route: r.value.route.kind } : {}),
    },
  });
  if (!r.ok) return r;
  const carded = await postCard(d, r.value);
  if (carded.status === "pending") await supersedeOlder(d, carded);
  return ok(carded);
}

async function requestOnce(d: RemediationDeps, id: string, actor: Actor, channel: string): Promise<Result<Proposal>> {
  const loaded = await loadProposal(d, id, channel);
  if (!loaded.ok) return loaded;
  const p = loaded.value;
  if (p.status === "offered" && d.clock.now() - p.createdAt > OFFER_LIFETIME)
    return err("this button is from a report more than a day old: run /mem diagnose again");
  const asked = request(p, actor, d.policy, d.clock.now());
  return asked.ok ? check(d, asked.value, p) : asked;
}

/** A remediation asked for by command: stored like an offered one, then requested by the same person. */
export async function proposeRemediation(
  d: RemediationDeps,
  plan: Plan,
  gitOps: GitOpsOwner | null,
  route: Route,
  actor: Actor,
  channel: string,
): Promise<Result<Proposal>> {
  // With an open incident for the workload here, the card goes into its thread; else it stands alone.
  const incident = await d.store.openIncident(plan.target, channel);
  const p = offered({
    id: d.newId(),
    plan,
    channel,
    threadTs: incident?.threadTs ?? null,
    gitOps,
    route,
    now: d.clock.now(),
  });
  await d.store.insertProposal(p);
  return requestRemediation(d, p.id, actor, channel);
}
