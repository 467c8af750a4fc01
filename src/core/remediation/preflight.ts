/** What can make an approved change fail later, though the API server accepts the patch itself. */
import type { WorkloadObject } from "../model.ts";
import { formatBytes, MiB, parseQuantity } from "../quantity.ts";
import type { Plan } from "./plan.ts";

export interface PreflightFacts {
  /** the smallest LimitRange max.memory for containers in the namespace */
  limitRangeMaxBytes: number | null;
  /** ResourceQuotas on limits.memory / requests.memory: room left = hard − used */
  quota: { resource: "limits.memory" | "requests.memory"; name: string; hardBytes: number; usedBytes: number }[];
  largestNodeAllocatableBytes: number | null;
  /** the HPA on this workload, and whether it scales on memory utilisation */
  hpa: { name: string; onMemory: boolean } | null;
}

export interface Check {
  ok: boolean;
  /** a failed blocking check refuses the request: the rollout would fail */
  blocking: boolean;
  text: string;
}

const sum = (xs: (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

const CHANGE = /^spec\.template\.spec\.containers\[(.+)\]\.resources\.(limits|requests)\.memory$/;

/** The pod's containers as the plan leaves them, read from its own list of changes. */
function containersAfter(plan: Plan, w: WorkloadObject) {
  const after = new Map(w.template.containers.map((c) => [c.name, { ...c }]));
  for (const change of plan.changes) {
    const m = CHANGE.exec(change.path);
    const c = m ? after.get(m[1] ?? "") : undefined;
    const bytes = parseQuantity(change.after);
    if (!c || !bytes.ok) continue;
    if (m?.[2] === "limits") c.limitBytes = bytes.value;
    else c.requestBytes = bytes.value;
  }
  return [...after.values()];
}

const check = (ok: boolean, blocking: boolean, pass: string, fail: string): Check => ({
  ok,
  blocking,
  text: ok ? pass : fail,
});

type Containers = WorkloadObject["template"]["containers"];

function limitRangeCheck(after: Containers, max: number): Check {
  const worst = Math.max(...after.map((c) => c.limitBytes ?? 0));
  return check(
    worst <= max,
    true,
    `within the namespace's LimitRange maximum (${formatBytes(max)})`,
    `${formatBytes(worst)} is above the namespace's LimitRange maximum (${formatBytes(max)}): new pods would be rejected`,
  );
}

function quotaChecks(
  quota: PreflightFacts["quota"],
  before: Containers,
  after: Containers,
  replicas: { before: number; after: number },
): Check[] {
  return quota.flatMap((q) => {
    const field = q.resource === "limits.memory" ? "limitBytes" : "requestBytes";
    const extra = sum(after.map((c) => c[field])) * replicas.after - sum(before.map((c) => c[field])) * replicas.before;
    if (extra <= 0) return [];
    const room = q.hardBytes - q.usedBytes;
    return [
      check(
        extra <= room,
        true,
        `ResourceQuota ${q.name} (${q.resource}) has room: needs ${formatBytes(extra)}, ${formatBytes(room)} free`,
        `ResourceQuota ${q.name} (${q.resource}) is too small: needs ${formatBytes(extra)} more, only ${formatBytes(room)} free; the rollout would stall`,
      ),
    ];
  });
}

function nodeFitCheck(after: Containers, largest: number): Check {
  const podRequest = sum(after.map((c) => c.requestBytes));
  return check(
    podRequest <= largest,
    true,
    `a pod (requests ${formatBytes(podRequest)}) fits the largest node (${formatBytes(largest)} allocatable)`,
    `a pod would request ${formatBytes(podRequest)}, more than the largest node's ${formatBytes(largest)} allocatable: it could never be scheduled`,
  );
}

function hpaCheck(plan: Plan, w: WorkloadObject, hpa: string): Check {
  const moved = plan.changes.find((c) => c.path.endsWith(".requests.memory"));
  const before = w.template.containers.find((c) => c.name === plan.container)?.requestBytes ?? null;
  const after = moved ? parseQuantity(moved.after) : null;
  const lower = before !== null && after?.ok === true && after.value < before;
  return check(
    !moved,
    false,
    `HPA ${hpa} scales on memory utilisation of requests; requests do not change`,
    lower
      ? `HPA ${hpa} scales on memory utilisation of requests: a lower request reads as higher utilisation, so it may scale out`
      : `HPA ${hpa} scales on memory utilisation of requests: the request moves too, so it will see lower utilisation and may scale in`,
  );
}

export function preflight(plan: Plan, w: WorkloadObject, f: PreflightFacts): Check[] {
  if (plan.action === "restart")
    return [{ ok: true, blocking: false, text: "no resources change: pods are replaced one by one" }];
  const raise = plan.action === "raise-limit";
  const resources = raise || plan.action === "set-request";
  const before = w.template.containers;
  const after = resources ? containersAfter(plan, w) : before;
  const replicasBefore = w.replicas ?? 1;
  const replicasAfter = plan.action === "scale-out" ? Number(plan.changes[0]?.after ?? replicasBefore) : replicasBefore;
  return [
    ...(raise && f.limitRangeMaxBytes !== null ? [limitRangeCheck(after, f.limitRangeMaxBytes)] : []),
    ...quotaChecks(f.quota, before, after, { before: replicasBefore, after: replicasAfter }),
    ...(f.largestNodeAllocatableBytes !== null ? [nodeFitCheck(after, f.largestNodeAllocatableBytes)] : []),
    ...(f.hpa?.onMemory && resources ? [hpaCheck(plan, w, f.hpa.name)] : []),
  ];
}

/** After an OOM kill the limit should rise to at least this: usage above the old limit was never seen. */
export const oomFloor = (oldLimit: number): number => Math.max(oldLimit * 1.2, oldLimit + 100 * MiB);

/** A warning (not a refusal) when a raise stays below the OOM floor of a container that was OOM-killed. */
export function oomFloorCheck(plan: Plan, w: WorkloadObject, oomKilled: boolean): Check | null {
  if (plan.action !== "raise-limit" || !oomKilled) return null;
  const old = w.template.containers.find((c) => c.name === plan.container)?.limitBytes ?? null;
  const next = plan.changes.find((c) => c.path.endsWith(".limits.memory"));
  const bytes = next ? parseQuantity(next.after) : null;
  if (old === null || !bytes?.ok) return null;
  const floor = oomFloor(old);
  if (bytes.value >= floor)
    return {
      ok: true,
      blocking: false,
      text: `at or above the OOM floor of ${plan.container ?? "?"} (${formatBytes(floor)}; it was OOM-killed)`,
    };
  return {
    ok: false,
    blocking: false,
    text: `${plan.container ?? "?"} was OOM-killed: ${formatBytes(bytes.value)} is below memops's OOM floor of ${formatBytes(floor)} (max(old × 1.2, old + 100Mi)), so it may be killed again`,
  };
}
