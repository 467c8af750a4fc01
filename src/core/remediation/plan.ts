/**
 * Pure remediation planning: the exact change, what it changes, and why it is allowed. What runs is
 * `ops`, a JSON Patch whose `test` operations pin the values the card shows as "before": the API
 * server refuses it atomically when the object has changed since.
 */
import type { ContainerSpec, RawResources, WorkloadObject } from "../model.ts";
import { type JsonPatchOp, pointerToken } from "./json-patch.ts";
import type { WorkloadKind } from "../target.ts";
import { exactQuantity, formatBytes, formatLimit } from "../quantity.ts";
import { err, ok, type Result } from "../result.ts";
import type { Action } from "./policy.ts";

export interface Change {
  path: string;
  before: string;
  after: string;
}

export interface Plan {
  action: Action;
  target: { kind: WorkloadKind; name: string; namespace: string };
  container: string | null;
  /** the same change as a strategic merge patch: what a person applies with kubectl or commits to Git */
  patch: Record<string, unknown>;
  /** what memops sends: the preconditions (`test`) on the state the proposal was made from, then the change */
  ops: JsonPatchOp[];
  changes: Change[];
  summary: string;
  /** why this size (the recommendation's reasoning), for raise-limit */
  reason?: string;
  /** set when the change is to the workload's HorizontalPodAutoscaler, not the workload */
  autoscaler?: string;
}

export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
const SHORT = { deployment: "deploy", statefulset: "sts", daemonset: "ds", replicaset: "rs" } as const;
const label = (w: WorkloadObject) => `${SHORT[w.kind]}/${w.name}`;
/** Callers have refused ReplicaSets already: they are changed through their Deployment. */
const target = (w: WorkloadObject) => ({ kind: w.kind as WorkloadKind, name: w.name, namespace: w.namespace });

/** A container's resources as the API server has them; for hand-made objects, as it would serve them. */
export function rawResources(c: ContainerSpec): RawResources {
  if (c.resources) return c.resources;
  const out: RawResources = {};
  if (c.limitBytes !== null) out.limits = { memory: exactQuantity(c.limitBytes) };
  if (c.requestBytes !== null) out.requests = { memory: exactQuantity(c.requestBytes) };
  return out;
}

/** A rolling restart, as `kubectl rollout restart` does it: a new pod-template annotation. */
export function planRestart(w: WorkloadObject, nowSeconds: number): Result<Plan> {
  if (w.kind === "replicaset") return err("a ReplicaSet is restarted through its Deployment");
  const at = new Date(nowSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  // The generation pins the whole spec: a restart (or any change) since the card was made refuses this one.
  const annotations = w.template.annotations;
  const set: JsonPatchOp =
    Object.keys(annotations).length > 0
      ? { op: "add", path: `/spec/template/metadata/annotations/${pointerToken(RESTARTED_AT)}`, value: at }
      : { op: "add", path: "/spec/template/metadata/annotations", value: { [RESTARTED_AT]: at } };
  return ok({
    action: "restart",
    target: target(w),
    container: null,
    patch: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } } },
    ops: [{ op: "test", path: "/metadata/generation", value: w.rollout.generation }, set],
    changes: [
      {
        path: `spec.template.metadata.annotations["${RESTARTED_AT}"]`,
        before: w.template.annotations[RESTARTED_AT] ?? "(none)",
        after: at,
      },
    ],
    summary: `Rolling restart of ${label(w)} in ${w.namespace}`,
  });
}

/** The container a resources change is about; a ReplicaSet is changed through its Deployment. */
function containerOf(w: WorkloadObject, container: string): Result<ContainerSpec> {
  if (w.kind === "replicaset") return err("change the Deployment, not its ReplicaSet");
  const c = w.template.containers.find((x) => x.name === container);
  return c
    ? ok(c)
    : err(
        `${label(w)} has no container "${container}" (containers: ${w.template.containers.map((x) => x.name).join(", ")})`,
      );
}

export interface LimitBounds {
  maxFactor: number;
  ceilingBytes: number | null;
}

/**
 * Raises one container's memory limit, touching nothing else. The request moves with it only when
 * it equalled the limit (Guaranteed QoS stays Guaranteed).
 */
export function planLimit(w: WorkloadObject, container: string, newLimit: number, bounds: LimitBounds): Result<Plan> {
  const found = containerOf(w, container);
  if (!found.ok) return found;
  const c = found.value;
  const old = c.limitBytes;
  if (old !== null && newLimit <= old)
    return err(`${formatBytes(newLimit)} is not above the current limit of ${container} (${formatBytes(old)})`);
  if (old !== null && newLimit > old * bounds.maxFactor) {
    return err(
      `at most ×${bounds.maxFactor} per step: ${container} can go from ${formatBytes(old)} to ${formatBytes(Math.floor(old * bounds.maxFactor))} now, more after verification`,
    );
  }
  if (bounds.ceilingBytes !== null && newLimit > bounds.ceilingBytes)
    return err(
      `${formatBytes(newLimit)} is above the policy's ceiling for ${w.namespace} (${formatBytes(bounds.ceilingBytes)})`,
    );
  const moveRequest = c.requestBytes !== null && old !== null && c.requestBytes === old;
  const resources: Record<string, Record<string, string>> = { limits: { memory: exactQuantity(newLimit) } };
  if (moveRequest) resources["requests"] = { memory: exactQuantity(newLimit) };
  const path = `spec.template.spec.containers[${container}].resources`;
  const at = `/spec/template/spec/containers/${w.template.containers.indexOf(c)}`;
  const raw = rawResources(c);
  const ops: JsonPatchOp[] = [
    { op: "test", path: `${at}/name`, value: container },
    { op: "test", path: `${at}/resources`, value: raw },
    { op: "add", path: `${at}/resources/limits`, value: { ...raw.limits, memory: exactQuantity(newLimit) } },
    ...(moveRequest
      ? [
          {
            op: "add" as const,
            path: `${at}/resources/requests`,
            value: { ...raw.requests, memory: exactQuantity(newLimit) },
          },
        ]
      : []),
  ];
  return ok({
    action: "raise-limit",
    target: target(w),
    container,
    patch: { spec: { template: { spec: { containers: [{ name: container, resources }] } } } },
    ops,
    changes: [
      {
        path: `${path}.limits.memory`,
        before: old === null ? "(none)" : exactQuantity(old),
        after: exactQuantity(newLimit),
      },
      ...(moveRequest
        ? [
            {
              path: `${path}.requests.memory`,
              before: exactQuantity(c.requestBytes ?? 0),
              after: exactQuantity(newLimit),
            },
          ]
        : []),
    ],
    summary: `Raise the memory limit of ${container} in ${label(w)} from ${formatLimit(old)} to ${exactQuantity(newLimit)}`,
  });
}

/** replicas = ceil(current × usage / target), at least one more. */
/**
 * Sets one container's memory request (the digest's right-size), touching nothing else: never above
 * its limit, and said plainly when a request equal to the limit (Guaranteed QoS) becomes Burstable.
 */
export function planRequest(w: WorkloadObject, container: string, newRequest: number): Result<Plan> {
  const found = containerOf(w, container);
  if (!found.ok) return found;
  const c = found.value;
  const old = c.requestBytes;
  if (newRequest <= 0) return err("a memory request must be above zero");
  if (old === newRequest) return err(`the request of ${container} is ${formatBytes(old)} already`);
  if (c.limitBytes !== null && newRequest > c.limitBytes)
    return err(
      `${formatBytes(newRequest)} is above the limit of ${container} (${formatBytes(c.limitBytes)}): raise the limit first`,
    );
  const at = `/spec/template/spec/containers/${w.template.containers.indexOf(c)}`;
  const raw = rawResources(c);
  const qos =
    old !== null && old === c.limitBytes ? " (QoS Guaranteed → Burstable: the request no longer equals the limit)" : "";
  return ok({
    action: "set-request",
    target: target(w),
    container,
    patch: {
      spec: {
        template: {
          spec: { containers: [{ name: container, resources: { requests: { memory: exactQuantity(newRequest) } } }] },
        },
      },
    },
    ops: [
      { op: "test", path: `${at}/name`, value: container },
      { op: "test", path: `${at}/resources`, value: raw },
      { op: "add", path: `${at}/resources/requests`, value: { ...raw.requests, memory: exactQuantity(newRequest) } },
    ],
    changes: [
      {
        path: `spec.template.spec.containers[${container}].resources.requests.memory`,
        before: old === null ? "(none)" : exactQuantity(old),
        after: exactQuantity(newRequest),
      },
    ],
    summary: `Set the memory request of ${container} in ${label(w)} from ${formatLimit(old)} to ${exactQuantity(newRequest)}${qos}`,
  });
}

export function recommendedReplicas(current: number, usageRatio: number, targetRatio: number): number {
  return Math.max(current + 1, Math.ceil((current * usageRatio) / targetRatio));
}

/**
 * When an HPA owns the replica count, scaling the workload would be undone at once: raise the HPA's
 * ceiling instead, so it may scale to `replicas` (and beyond its old maximum by at least one).
 */
export function planAutoscalerMax(
  w: WorkloadObject,
  hpa: { name: string; maxReplicas: number },
  replicas: number,
  maxReplicas: number | null,
): Result<Plan> {
  const next = Math.max(hpa.maxReplicas + 1, replicas);
  if (maxReplicas !== null && next > maxReplicas)
    return err(
      `the HorizontalPodAutoscaler ${hpa.name} would allow ${next} replicas, above the policy's maximum for ${w.namespace} (${maxReplicas})`,
    );
  return ok({
    action: "scale-out",
    target: target(w),
    container: null,
    autoscaler: hpa.name,
    patch: { spec: { maxReplicas: next } },
    ops: [
      { op: "test", path: "/spec/maxReplicas", value: hpa.maxReplicas },
      { op: "replace", path: "/spec/maxReplicas", value: next },
    ],
    changes: [
      {
        path: `HorizontalPodAutoscaler ${hpa.name} spec.maxReplicas`,
        before: String(hpa.maxReplicas),
        after: String(next),
      },
    ],
    summary: `Let the HorizontalPodAutoscaler ${hpa.name} scale ${label(w)} up to ${next} replicas (was ${hpa.maxReplicas})`,
  });
}

/**
 * The one scale-out decision: `replicas` for the workload, or, when an HPA owns the replica count (a scale
 * it would undo at once), a ceiling on the HPA that lets it get there.
 */
export function planScale(
  w: WorkloadObject,
  replicas: number,
  opts: { hpa: { name: string; maxReplicas: number } | null; maxReplicas: number | null },
): Result<Plan> {
  if (w.kind === "daemonset") return err("a DaemonSet runs one pod per node; it cannot be scaled out");
  if (w.kind === "replicaset") return err("scale the Deployment, not its ReplicaSet");
  if (opts.hpa) return planAutoscalerMax(w, opts.hpa, replicas, opts.maxReplicas);
  const current = w.replicas ?? 1;
  if (replicas <= current) return err(`${replicas} is not more than the current ${current} replicas`);
  if (opts.maxReplicas !== null && replicas > opts.maxReplicas)
    return err(`${replicas} replicas is above the policy's maximum for ${w.namespace} (${opts.maxReplicas})`);
  return ok({
    action: "scale-out",
    target: target(w),
    container: null,
    patch: { spec: { replicas } },
    ops: [
      { op: "test", path: "/spec/replicas", value: current },
      { op: "replace", path: "/spec/replicas", value: replicas },
    ],
    changes: [{ path: "spec.replicas", before: String(current), after: String(replicas) }],
    summary: `Scale ${label(w)} from ${current} to ${replicas} replicas`,
  });
}
