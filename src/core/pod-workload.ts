import type { Pod } from "./model.ts";

/**
 * Which workload a pod belongs to, for grouping a namespace's containers into one chart per workload:
 * its controller ("deployment/api" through its ReplicaSet, whose name is the Deployment's plus the
 * pod-template-hash), or, for pods gone since, what the controllers' generated names leave.
 */
export function podWorkload(pod: Pick<Pod, "name" | "owners" | "labels">): string {
  const owner = pod.owners.find((o) => o.controller);
  if (!owner) return `pod/${pod.name}`;
  const hash = pod.labels["pod-template-hash"];
  if (owner.kind === "ReplicaSet" && hash && owner.name.endsWith(`-${hash}`))
    return `deployment/${owner.name.slice(0, -hash.length - 1)}`;
  return `${owner.kind.toLowerCase()}/${owner.name}`;
}

/** The workload a pod name suggests when the pod is gone: "api-7d9c5-x2x4k" → "api", "db-0" → "db". */
export function workloadFromPodName(name: string): string {
  const deployment = /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/.exec(name);
  if (deployment?.[1]) return `deployment/${deployment[1]}`;
  const ordinal = /^(.+)-\d+$/.exec(name);
  if (ordinal?.[1]) return `statefulset/${ordinal[1]}`;
  const generated = /^(.+)-[a-z0-9]{5}$/.exec(name);
  return generated?.[1] ? `daemonset/${generated[1]}` : `pod/${name}`;
}

/** A workload's container as one key, "deployment/api|app": a namespace holds many workloads with an "app" container. */
export const containerSlot = (workload: string, container: string): string => `${workload}|${container}`;

export function slotParts(slot: string): { workload: string; container: string } {
  const [workload = "", container = ""] = slot.split("|");
  return { workload, container };
}
