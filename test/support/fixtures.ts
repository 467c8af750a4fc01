/** Builders for realistic cluster objects. Every field that matters differs (request ≠ limit). */
import type { ContainerStatus, NodeInfo, Pod, Sample, WorkloadObject } from "../../src/core/model.ts";
import { MiB } from "../../src/core/quantity.ts";

export const NOW = 1_790_000_000; // a fixed "now", Unix seconds

export function pod(p: Partial<Pod> & { name: string }): Pod {
  // a Deployment's pods carry their ReplicaSet's hash, as the controller sets it
  const hash = p.owners
    ?.find((o) => o.kind === "ReplicaSet")
    ?.name.split("-")
    .pop();
  return {
    namespace: "shop",
    uid: `uid-${p.name}`,
    nodeName: "node-a",
    phase: "Running",
    labels: { app: "api", ...(hash ? { "pod-template-hash": hash } : {}) },
    owners: [],
    containers: [{ name: "api", requestBytes: 256 * MiB, limitBytes: 512 * MiB }],
    statuses: [status({ name: "api" })],
    createdAt: NOW - 86_400,
    ...p,
  };
}

export function status(s: Partial<ContainerStatus> & { name: string }): ContainerStatus {
  return {
    ready: true,
    restartCount: 0,
    waitingReason: null,
    running: true,
    terminated: null,
    lastTerminated: null,
    ...s,
  };
}

export function oomKilled(name: string, restarts: number, finishedAgo: number): ContainerStatus {
  return status({
    name,
    restartCount: restarts,
    ready: false,
    running: false,
    waitingReason: "CrashLoopBackOff",
    lastTerminated: {
      reason: "OOMKilled",
      exitCode: 137,
      startedAt: NOW - finishedAgo - 1800,
      finishedAt: NOW - finishedAgo,
    },
  });
}

export function workload(w: Partial<WorkloadObject> & Pick<WorkloadObject, "kind" | "name">): WorkloadObject {
  return {
    namespace: "shop",
    uid: `uid-${w.kind}-${w.name}`,
    owners: [],
    selector: "app=api",
    replicas: 3,
    labels: { app: "api" },
    annotations: {},
    template: {
      containers: [
        { name: "api", requestBytes: 256 * MiB, limitBytes: 512 * MiB },
        { name: "envoy", requestBytes: 64 * MiB, limitBytes: 128 * MiB },
      ],
      annotations: {},
    },
    rollout: {
      generation: 4,
      observedGeneration: 4,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    },
    ...w,
  };
}

export const controller = (kind: string, name: string) => ({
  kind,
  name,
  uid: `uid-${kind.toLowerCase()}-${name}`,
  controller: true,
});

export function node(n: Partial<NodeInfo> & { name: string }): NodeInfo {
  return { memoryPressure: false, allocatableBytes: 16 * 1024 * MiB, capacityBytes: 16.5 * 1024 * MiB, ...n };
}

/** A deterministic pseudo-random generator, so "noisy" fixtures are the same on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Samples every `step` seconds over [NOW - window, NOW] of f(secondsFromStart), with ±noise bytes. */
export function series(window: number, step: number, f: (t: number) => number, noise = 0, seed = 1): Sample[] {
  const r = rng(seed);
  const out: Sample[] = [];
  for (let t = NOW - window; t <= NOW; t += step)
    out.push({ t, v: Math.max(0, f(t - (NOW - window)) + (r() * 2 - 1) * noise) });
  return out;
}
