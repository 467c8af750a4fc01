import { formatDuration } from "../../core/duration.ts";
import type { Pod, WorkloadObject } from "../../core/model.ts";
import { formatBytes } from "../../core/quantity.ts";
import type { Proposal } from "../../core/remediation/proposal.ts";
import type { Clock, Cluster, MemoryMetrics } from "../../ports.ts";
import { mannKendall, theilSen } from "../../core/stats.ts";
import { exactly } from "../../core/regex.ts";
import { resolveTarget } from "../resolve-target.ts";

export interface VerifyDeps {
  cluster: Cluster;
  metrics: MemoryMetrics | null;
  clock: Clock;
  sleep(ms: number): Promise<void>;
}

export interface VerifyOptions {
  /** how long to watch after the rollout for new OOM kills and restarts */
  windowSeconds: number;
  pollSeconds: number;
  rolloutTimeoutSeconds: number;
}

export interface Verification {
  verified: boolean;
  lines: string[];
  /** why the on-call group should look, when it should */
  escalation: string | null;
}

const rolledOut = (w: WorkloadObject) => {
  const want = w.replicas ?? w.rollout.replicas;
  return (
    w.rollout.observedGeneration >= w.rollout.generation &&
    w.rollout.updatedReplicas >= want &&
    w.rollout.availableReplicas >= want
  );
};

const restartsOf = (pods: readonly Pod[]) =>
  new Map(pods.flatMap((p) => p.statuses.map((s) => [`${p.uid}/${s.name}`, s.restartCount] as const)));

/** Waits for the rollout (up to its timeout) and says how far it got; null when the workload is gone. */
async function awaitRollout(d: VerifyDeps, p: Proposal, o: VerifyOptions) {
  const t = p.plan.target;
  const started = d.clock.now();
  let w = await d.cluster.getWorkload(t.namespace, t.kind, t.name);
  while (w && !rolledOut(w) && d.clock.now() - started < o.rolloutTimeoutSeconds) {
    await d.sleep(o.pollSeconds * 1000);
    w = await d.cluster.getWorkload(t.namespace, t.kind, t.name);
  }
  if (!w) return null;
  const want = w.replicas ?? w.rollout.replicas;
  const done = rolledOut(w);
  const line = done
    ? `rollout finished: ${w.rollout.updatedReplicas}/${want} updated, ${w.rollout.availableReplicas} available`
    : `rollout did not finish within ${formatDuration(o.rolloutTimeoutSeconds)}: ${w.rollout.updatedReplicas}/${want} updated, ${w.rollout.availableReplicas} available`;
  return { w, want, done, line };
}

/** OOM kills since the decision and restarts since the baseline, over the pods there are now. */
function killsAndRestarts(p: Proposal, after: readonly Pod[], baseline: Map<string, number>, windowSeconds: number) {
  const oomKills = after.flatMap((pod) =>
    pod.statuses
      .filter((s) => s.lastTerminated?.reason === "OOMKilled" && (s.lastTerminated.finishedAt ?? 0) >= p.decidedAt!)
      .map((s) => `${pod.name}/${s.name}`),
  );
  const restarts = after.reduce(
    (n, pod) =>
      n +
      pod.statuses.reduce((m, s) => m + Math.max(0, s.restartCount - (baseline.get(`${pod.uid}/${s.name}`) ?? 0)), 0),
    0,
  );
  const line =
    oomKills.length === 0 && restarts === 0
      ? `no new OOM kills or restarts in ${formatDuration(windowSeconds)}`
      : `${oomKills.length} new OOM kill${oomKills.length === 1 ? "" : "s"} (${oomKills.slice(0, 3).join(", ")}) and ${restarts} restart${restarts === 1 ? "" : "s"} since the change`;
  return { oomKills, restarts, line };
}

/** The container closest to its limit now, from Prometheus (else metrics.k8s.io); unknown is said, never passed. */
export async function memoryNow(
  d: Pick<VerifyDeps, "cluster" | "metrics">,
  w: WorkloadObject,
  after: readonly Pod[],
  namespace: string,
  now: number,
) {
  const limits = new Map(w.template.containers.map((c) => [c.name, c.limitBytes]));
  let worst: { ratio: number; who: string; used: number; limit: number } | null = null;
  let problem = "no current usage from Prometheus or metrics.k8s.io";
  try {
    const usage = d.metrics
      ? new Map(
          (
            await d.metrics.containerMemory({
              namespace,
              podPattern: exactly(after.map((x) => x.name)),
              start: now - 300,
              end: now,
              stepSeconds: 60,
            })
          ).map((c) => [`${c.pod}/${c.container}`, c.workingSet.at(-1)?.v ?? null] as const),
        )
      : await d.cluster.currentUsage(namespace);
    for (const pod of after)
      for (const c of pod.containers) {
        const used = usage?.get(`${pod.name}/${c.name}`) ?? null;
        const limit = limits.get(c.name) ?? c.limitBytes;
        if (used === null || !limit) continue;
        if (!worst || used / limit > worst.ratio)
          worst = { ratio: used / limit, who: `${pod.name}/${c.name}`, used, limit };
      }
  } catch (e) {
    // Verification does not pass on missing data: the line says why memory is unknown.
    problem = e instanceof Error ? e.message : String(e);
  }
  const line = !worst
    ? `memory now: unknown (${problem})`
    : `memory at most ${Math.round(worst.ratio * 100)}% of its limit (${worst.who}: ${formatBytes(worst.used)} of ${formatBytes(worst.limit)})`;
  return { ok: worst !== null && worst.ratio < MEMORY_OK, line };
}

/** Below this share of its limit, memory is fine after a change. */
const MEMORY_OK = 0.8;
/** This many OOM kills after a change escalate: the change did not help. */
const ESCALATE_KILLS = 3;

/** After an executed remediation: did the rollout finish, and is the workload healthy with memory under 80% of its limit? */
export async function verifyRemediation(d: VerifyDeps, p: Proposal, o: VerifyOptions): Promise<Verification> {
  const t = p.plan.target;
  const started = d.clock.now();
  const pods = async () => {
    const r = await resolveTarget(d.cluster, { kind: t.kind, name: t.name, namespace: t.namespace });
    return r.ok ? r.value.pods : [];
  };
  const baseline = restartsOf(await pods());
  const rollout = await awaitRollout(d, p, o);
  if (!rollout) return { verified: false, lines: [`${t.kind}/${t.name} no longer exists`], escalation: null };
  const { w, want } = rollout;
  await d.sleep(o.windowSeconds * 1000);
  const now = d.clock.now();
  const after = await pods();
  const kills = killsAndRestarts(p, after, baseline, o.windowSeconds);
  const memory = await memoryNow(d, w, after, t.namespace, now);
  const lines = [rollout.line, kills.line, memory.line];
  const growth =
    p.plan.action === "raise-limit" && d.metrics
      ? await growthSince(d.metrics, t.namespace, after, p.decidedAt ?? started, now)
      : null;
  if (growth) lines.push(`memory keeps growing after the increase: ${growth.who} +${formatBytes(growth.perHour)}/h`);
  const ready = w.rollout.availableReplicas >= want;
  if (!ready) lines.push(`not Ready: ${w.rollout.availableReplicas}/${want} available`);
  const escalation =
    kills.oomKills.length >= ESCALATE_KILLS
      ? `${kills.oomKills.length} OOM kills within ${formatDuration(now - (p.decidedAt ?? now))} of the change`
      : growth
        ? `memory keeps growing after the limit increase (${growth.who} +${formatBytes(growth.perHour)}/h): more memory will not fix a leak`
        : null;
  return {
    verified: rollout.done && kills.oomKills.length === 0 && kills.restarts === 0 && memory.ok && ready && !growth,
    lines,
    escalation,
  };
}

/** Significant growth (Mann–Kendall p < 0.01, Theil–Sen slope > 0) of any container since the change. */
async function growthSince(
  metrics: MemoryMetrics,
  namespace: string,
  pods: readonly Pod[],
  since: number,
  now: number,
): Promise<{ who: string; perHour: number } | null> {
  if (now - since < 600 || pods.length === 0) return null;
  const series = await metrics.containerMemory({
    namespace,
    podPattern: exactly(pods.map((x) => x.name)),
    start: since,
    end: now,
    stepSeconds: 60,
  });
  for (const c of series) {
    const s = c.workingSet.filter((x) => x.t >= since);
    if (s.length < 10) continue;
    const xs = s.map((x) => (x.t - since) / 3600);
    const ys = s.map((x) => x.v);
    const slope = theilSen(xs, ys).slope;
    if (slope > 0 && mannKendall(ys).p < 0.01) return { who: `${c.pod}/${c.container}`, perHour: slope };
  }
  return null;
}
