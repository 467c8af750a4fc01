/** The simulation's objects as the Kubernetes API shows them: its Deployments, their ReplicaSets and pods. */
import type { ContainerStatus, Pod, WorkloadObject } from "../core/model.ts";
import type { Scenario } from "./scenarios.ts";
import type { SimDeployment, SimPod } from "./simulation.ts";

export function deploymentObject(s: Scenario, namespace: string): WorkloadObject {
  const uid = `uid-deploy-${s.name}`;
  return {
    kind: "deployment",
    name: s.name,
    namespace,
    uid,
    owners: [],
    selector: `app=${s.name}`,
    replicas: s.replicas,
    labels: { app: s.name },
    annotations: { "deployment.kubernetes.io/revision": "1" },
    template: {
      containers: [{ name: "app", limitBytes: s.limitBytes, requestBytes: s.requestBytes }],
      annotations: {},
    },
    rollout: {
      generation: 1,
      observedGeneration: 1,
      replicas: s.replicas,
      updatedReplicas: s.replicas,
      readyReplicas: s.replicas,
      availableReplicas: s.replicas,
    },
  };
}

/** The pod as the Kubernetes API would show it now. */
export function podView(pod: SimPod, d: SimDeployment, namespace: string, now: number): Pod {
  const rs = `${d.scenario.name}-${pod.templateHash}`;
  const statuses: ContainerStatus[] = pod.containers.map((c) => {
    const restarting = c.runStart > now;
    return {
      name: c.name,
      ready: !restarting,
      restartCount: c.restartCount,
      running: !restarting,
      waitingReason:
        restarting || (c.lastTerminated && now - (c.lastTerminated.finishedAt ?? 0) < 60) ? "CrashLoopBackOff" : null,
      terminated: null,
      lastTerminated: c.lastTerminated,
    };
  });
  return {
    name: pod.name,
    namespace,
    uid: pod.uid,
    nodeName: pod.node,
    phase: "Running",
    labels: { app: d.scenario.name, "pod-template-hash": pod.templateHash },
    owners: [{ kind: "ReplicaSet", name: rs, uid: `uid-rs-${rs}`, controller: true }],
    containers: pod.containers.map((c) => ({ name: c.name, limitBytes: c.limitBytes, requestBytes: c.requestBytes })),
    statuses,
    createdAt: pod.createdAt,
  };
}

/** The ReplicaSets of a Deployment that still have pods, and the current one. */
export function replicaSets(d: SimDeployment, namespace: string, current: string): WorkloadObject[] {
  const hashes = new Set([current, ...d.pods.filter((p) => p.deletedAt === null).map((p) => p.templateHash)]);
  return [...hashes].map((h) => {
    const name = `${d.scenario.name}-${h}`;
    const n = d.pods.filter((p) => p.deletedAt === null && p.templateHash === h).length;
    return {
      kind: "replicaset",
      name,
      namespace,
      uid: `uid-rs-${name}`,
      owners: [{ kind: "Deployment", name: d.scenario.name, uid: d.object.uid, controller: true }],
      selector: `app=${d.scenario.name},pod-template-hash=${h}`,
      replicas: n,
      labels: { app: d.scenario.name, "pod-template-hash": h },
      annotations: {},
      template: structuredClone(d.object.template),
      rollout: {
        generation: 1,
        observedGeneration: 1,
        replicas: n,
        updatedReplicas: n,
        readyReplicas: n,
        availableReplicas: n,
      },
    } satisfies WorkloadObject;
  });
}
