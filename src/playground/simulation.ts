import { createHash } from "node:crypto";
import type { ClusterEvent, NodeInfo, Pod, Sample, Termination, WorkloadObject } from "../core/model.ts";
import type { Scenario } from "./scenarios.ts";
import { deploymentObject, podView, replicaSets } from "./sim-views.ts";

/**
 * A small simulated cluster for the playground: Deployments whose pods' memory follows their scenario
 * in real time, sampled every minute from hours before start-up; a container that reaches its limit is
 * OOM-killed and restarted; a rollout (new limit, restart annotation) replaces the pods; replicas can be
 * changed. The Cluster and MemoryMetrics ports (sim-cluster.ts, sim-metrics.ts) read it.
 */

const STEP = 60;
/** how much history exists at start-up, and how much is kept */
const HISTORY = 8 * 3600;
const MiB = 2 ** 20;

export interface SimContainer {
  name: string;
  limitBytes: number | null;
  requestBytes: number | null;
  runStart: number;
  restartCount: number;
  lastTerminated: Termination | null;
  workingSet: Sample[];
  restarts: Sample[];
}

export interface SimPod {
  name: string;
  uid: string;
  node: string;
  createdAt: number;
  deletedAt: number | null;
  templateHash: string;
  scenario: Scenario;
  containers: SimContainer[];
}

export interface SimDeployment {
  scenario: Scenario;
  object: WorkloadObject;
  /** every pod it ever had during the kept history (deleted ones keep their samples for Prometheus) */
  pods: SimPod[];
}

export type SimEvent = ClusterEvent & { namespace: string };

const hash = (s: string, length: number) => {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789"; // the alphabet Kubernetes uses for generated names
  const bytes = createHash("sha256").update(s).digest();
  return Array.from(bytes.subarray(0, length), (b) => alphabet[b % alphabet.length]).join("");
};

/** Deterministic noise in [-1, 1] (roughly normal) for a seed and a time. */
function noise(seed: string, t: number): number {
  const b = createHash("sha1").update(`${seed}:${t}`).digest();
  return ((b[0] ?? 0) + (b[1] ?? 0) + (b[2] ?? 0)) / 382.5 - 1;
}

export class Simulation {
  readonly namespace = "demo";
  readonly nodes: NodeInfo[] = [
    { name: "node-a", memoryPressure: false, allocatableBytes: 7.5 * 2 ** 30, capacityBytes: 8 * 2 ** 30 },
    { name: "node-b", memoryPressure: false, allocatableBytes: 7.5 * 2 ** 30, capacityBytes: 8 * 2 ** 30 },
  ];
  readonly deployments: SimDeployment[];
  readonly events: SimEvent[] = [];
  readonly #now: () => number;
  #seq = 0;

  /** `now` in Unix seconds */
  constructor(scenarios: readonly Scenario[], now: () => number) {
    this.#now = now;
    const start = Math.floor(now() / STEP) * STEP;
    this.deployments = scenarios.map((s) => {
      const d: SimDeployment = { scenario: s, pods: [], object: deploymentObject(s, this.namespace) };
      for (let i = 0; i < s.replicas; i++)
        this.#addPod(d, start - Math.max(STEP, s.podAge - i * 40 * 60), start - HISTORY);
      return d;
    });
    this.advance();
  }

  /** The pod as the Kubernetes API would show it now. */
  podView(pod: SimPod, d: SimDeployment): Pod {
    return podView(pod, d, this.namespace, this.#now());
  }

  /** The ReplicaSets of a Deployment that still have pods, and the current one. */
  replicaSets(d: SimDeployment): WorkloadObject[] {
    return replicaSets(d, this.namespace, this.templateHash(d));
  }

  templateHash(d: SimDeployment): string {
    return hash(JSON.stringify(d.object.template), 9);
  }

  /** A pod created at `createdAt`, sampled from `sampleFrom` (or its creation, if later). */
  #addPod(d: SimDeployment, createdAt: number, sampleFrom = createdAt): SimPod {
    const templateHash = this.templateHash(d);
    const name = `${d.scenario.name}-${templateHash}-${hash(`${d.scenario.name}/${++this.#seq}`, 5)}`;
    const first = Math.max(createdAt, Math.ceil(sampleFrom / STEP) * STEP);
    const pod: SimPod = {
      name,
      uid: `uid-${name}`,
      node: this.nodes[this.#seq % this.nodes.length]?.name ?? "node-a",
      createdAt,
      deletedAt: null,
      templateHash,
      scenario: d.scenario,
      containers: d.object.template.containers.map((c) => ({
        name: c.name,
        limitBytes: c.limitBytes,
        requestBytes: c.requestBytes,
        runStart: createdAt,
        restartCount: 0,
        lastTerminated: null,
        workingSet: [],
        restarts: [{ t: first - STEP, v: 0 }],
      })),
    };
    for (const c of pod.containers) c.workingSet.push({ t: first - STEP, v: this.#memory(pod, c, first - STEP) });
    d.pods.push(pod);
    return pod;
  }

  #memory(pod: SimPod, c: SimContainer, t: number): number {
    const base = pod.scenario.memory(Math.max(0, t - c.runStart), t);
    return Math.max(8 * MiB, base + 3 * MiB * noise(pod.name, t));
  }

  /** Samples every live container up to now, OOM-killing those that reach their limit. */
  advance(): void {
    const now = this.#now();
    for (const d of this.deployments) {
      for (const pod of d.pods) {
        if (pod.deletedAt !== null) continue;
        for (const c of pod.containers) {
          for (let t = (c.workingSet.at(-1)?.t ?? now) + STEP; t <= now; t += STEP) {
            let v = this.#memory(pod, c, t);
            if (c.limitBytes !== null && v >= c.limitBytes) {
              v = c.limitBytes;
              c.lastTerminated = { reason: "OOMKilled", exitCode: 137, startedAt: c.runStart, finishedAt: t };
              c.restartCount++;
              c.runStart = t + 5;
              this.#event(
                `Node/${pod.node}`,
                "OOMKilling",
                `Memory cgroup out of memory: Killed process ${1000 + (t % 9000)} (${d.scenario.name}) total-vm:${Math.round(v / 1024)}kB, anon-rss:${Math.round(v / 1024)}kB; pod ${pod.name}`,
                t,
              );
              this.#event(
                `Pod/${pod.name}`,
                "BackOff",
                `Back-off restarting failed container ${c.name} in pod ${pod.name}`,
                t,
              );
            }
            c.workingSet.push({ t, v });
            c.restarts.push({ t, v: c.restartCount });
          }
          const keepFrom = now - HISTORY;
          if ((c.workingSet[0]?.t ?? now) < keepFrom - 600) {
            c.workingSet = c.workingSet.filter((s) => s.t >= keepFrom);
            c.restarts = c.restarts.filter((s) => s.t >= keepFrom);
          }
        }
      }
      d.pods = d.pods.filter((p) => p.deletedAt === null || p.deletedAt >= now - HISTORY);
    }
  }

  #event(object: string, reason: string, message: string, t: number) {
    const [involvedKind = "", involvedName = ""] = object.split("/");
    const same = this.events.find(
      (e) => e.involvedKind === involvedKind && e.involvedName === involvedName && e.reason === reason,
    );
    if (same) {
      same.count++;
      same.lastSeen = t;
      same.message = message;
      return;
    }
    this.events.push({
      namespace: involvedKind === "Node" ? "" : this.namespace,
      reason,
      message,
      type: "Warning",
      involvedKind,
      involvedName,
      count: 1,
      lastSeen: t,
    });
  }

  /**
   * Applies a Deployment change as its controller would (at once): a template change replaces every pod
   * with fresh ones (memory starts over, with the new limits); a replica change adds or removes pods.
   */
  apply(d: SimDeployment, next: WorkloadObject): void {
    const now = this.#now();
    const templateChanged = JSON.stringify(next.template) !== JSON.stringify(d.object.template);
    const generation = d.object.rollout.generation + 1;
    d.object = { ...next, rollout: d.object.rollout };
    const want = next.replicas ?? 1;
    const live = () => d.pods.filter((p) => p.deletedAt === null);
    if (templateChanged) {
      for (const p of live()) p.deletedAt = now;
      d.object.annotations = {
        ...d.object.annotations,
        "deployment.kubernetes.io/revision": String(
          Number(d.object.annotations["deployment.kubernetes.io/revision"] ?? "1") + 1,
        ),
      };
    }
    while (live().length < want) this.#addPod(d, now);
    for (const p of live().slice(want)) p.deletedAt = now;
    d.object.rollout = {
      generation,
      observedGeneration: generation,
      replicas: want,
      updatedReplicas: want,
      readyReplicas: want,
      availableReplicas: want,
    };
  }

  now(): number {
    return this.#now();
  }

  find(name: string): SimDeployment | undefined {
    return this.deployments.find((d) => d.scenario.name === name);
  }

  /** Every pod and its deployment, live ones first. */
  allPods(): { pod: SimPod; d: SimDeployment }[] {
    return this.deployments.flatMap((d) => d.pods.map((pod) => ({ pod, d })));
  }
}
