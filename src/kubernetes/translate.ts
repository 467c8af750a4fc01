/** client-node shapes → core types. The only place that knows the SDK's models. */
import type {
  CoreV1Event,
  V1ContainerStatus,
  V1ContainerStateTerminated,
  V1LabelSelector,
  V1Node,
  V1ObjectMeta,
  V1Pod,
} from "@kubernetes/client-node";
import type { ClusterEvent, ContainerStatus, NodeInfo, OwnerRef, Pod, Termination } from "../core/model.ts";
import { parseQuantity } from "../core/quantity.ts";

const seconds = (d: Date | string | undefined | null): number | null => {
  if (!d) return null;
  const ms = d instanceof Date ? d.getTime() : Date.parse(d);
  return Number.isNaN(ms) ? null : ms / 1000;
};

export const bytesOf = (q: string | undefined): number | null => {
  if (q === undefined) return null;
  const r = parseQuantity(String(q));
  return r.ok ? r.value : null;
};

export function ownersOf(meta: V1ObjectMeta | undefined): OwnerRef[] {
  return (meta?.ownerReferences ?? []).map((o) => ({
    kind: o.kind,
    name: o.name,
    uid: o.uid,
    controller: o.controller === true,
  }));
}

function termination(t: V1ContainerStateTerminated | undefined): Termination | null {
  if (!t) return null;
  return {
    reason: t.reason ?? null,
    exitCode: t.exitCode ?? null,
    startedAt: seconds(t.startedAt),
    finishedAt: seconds(t.finishedAt),
  };
}

function status(s: V1ContainerStatus): ContainerStatus {
  return {
    name: s.name,
    ready: s.ready,
    restartCount: s.restartCount,
    waitingReason: s.state?.waiting?.reason ?? null,
    running: !!s.state?.running,
    terminated: termination(s.state?.terminated),
    lastTerminated: termination(s.lastState?.terminated),
  };
}

export function toPod(p: V1Pod): Pod {
  return {
    name: p.metadata?.name ?? "",
    namespace: p.metadata?.namespace ?? "",
    uid: p.metadata?.uid ?? "",
    nodeName: p.spec?.nodeName ?? null,
    phase: p.status?.phase ?? "Unknown",
    labels: p.metadata?.labels ?? {},
    owners: ownersOf(p.metadata),
    containers: (p.spec?.containers ?? []).map((c) => ({
      name: c.name,
      requestBytes: bytesOf(c.resources?.requests?.["memory"]),
      limitBytes: bytesOf(c.resources?.limits?.["memory"]),
    })),
    statuses: (p.status?.containerStatuses ?? []).map(status),
    createdAt: seconds(p.metadata?.creationTimestamp),
  };
}

export function toNode(n: V1Node): NodeInfo {
  const pressure = n.status?.conditions?.find((c) => c.type === "MemoryPressure");
  return {
    name: n.metadata?.name ?? "",
    memoryPressure: pressure ? pressure.status === "True" : null,
    allocatableBytes: bytesOf(n.status?.allocatable?.["memory"]),
    capacityBytes: bytesOf(n.status?.capacity?.["memory"]),
  };
}

export function toEvent(e: CoreV1Event): ClusterEvent {
  return {
    reason: e.reason ?? "",
    message: e.message ?? "",
    type: e.type ?? "",
    involvedKind: e.involvedObject.kind ?? "",
    involvedName: e.involvedObject.name ?? "",
    count: e.series?.count ?? e.count ?? 1,
    lastSeen: seconds(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp),
  };
}

/** A LabelSelector object as the string form the list APIs take. */
export function selectorString(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}
