/** Cluster objects as the core sees them: SDK shapes are translated into these at the edge. */
import type { WorkloadKind } from "./target.ts";

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
}

export interface ContainerSpec {
  name: string;
  requestBytes: number | null;
  limitBytes: number | null;
  /** the container's resources exactly as the API server serves them (quantities as strings); absent in hand-made objects */
  resources?: RawResources;
}

/** A container's `resources` as JSON: what a preconditioned patch tests before it changes the memory. */
export interface RawResources {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
  [field: string]: unknown;
}

export interface Termination {
  reason: string | null;
  exitCode: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  waitingReason: string | null;
  running: boolean;
  terminated: Termination | null;
  lastTerminated: Termination | null;
}

export interface Pod {
  name: string;
  namespace: string;
  uid: string;
  nodeName: string | null;
  phase: string;
  labels: Record<string, string>;
  owners: OwnerRef[];
  containers: ContainerSpec[];
  statuses: ContainerStatus[];
  createdAt: number | null;
}

/** The memory a pod's containers request, summed (what is not set counts as nothing). */
export const podRequestBytes = (p: Pick<Pod, "containers">): number =>
  p.containers.reduce((sum, c) => sum + (c.requestBytes ?? 0), 0);

export interface WorkloadObject {
  kind: WorkloadKind | "replicaset";
  name: string;
  namespace: string;
  uid: string;
  owners: OwnerRef[];
  /** label selector string, e.g. "app=api,tier=web" */
  selector: string;
  replicas: number | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** the pod template's containers and annotations (what a rollout changes) */
  template: { containers: ContainerSpec[]; annotations: Record<string, string> };
  rollout: RolloutStatus;
}

export interface RolloutStatus {
  generation: number;
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

export interface NodeInfo {
  name: string;
  memoryPressure: boolean | null;
  allocatableBytes: number | null;
  capacityBytes: number | null;
}

export interface ClusterEvent {
  reason: string;
  message: string;
  type: string;
  involvedKind: string;
  involvedName: string;
  count: number;
  lastSeen: number | null;
}

/** Times are Unix seconds; values are bytes (or a counter). */
export interface Sample {
  t: number;
  v: number;
}

export interface ContainerKey {
  pod: string;
  container: string;
}

export const keyOf = (k: ContainerKey): string => `${k.pod}/${k.container}`;
