/** Where an approved change is applied: the live object, a Flux HelmRelease's values, or nowhere (Git). */
import { type GitOpsOwner } from "./gitops.ts";
import type { Change, Plan } from "./plan.ts";

export type Route =
  | { kind: "live" }
  | {
      kind: "helm-release";
      name: string;
      namespace: string;
      patch: Record<string, unknown>;
      changes: Change[];
      /** the HelmRelease's resourceVersion when the card was made: the patch is refused if it changed since */
      resourceVersion?: string;
    }
  | { kind: "git"; why: string }
  | { kind: "autoscaler"; name: string; namespace: string; patch: Record<string, unknown> };

export const RECONCILE_AT = "reconcile.fluxcd.io/requestedAt";
/** On the workload: where its chart keeps a container's resources (per container, or for all). */
export const VALUES_PATH = "memops.dev/helm-values-path";
export const REPLICAS_PATH = "memops.dev/helm-replicas-path";

function nested(path: string, value: unknown): Record<string, unknown> {
  return path
    .split(".")
    .reverse()
    .reduce<unknown>((v, key) => ({ [key]: v }), value) as Record<string, unknown>;
}

/**
 * A direct patch to a GitOps-managed workload is reverted at the next sync. A restart still happens
 * (the rollout starts before any revert); other changes go to the HelmRelease's values, or to Git.
 */
export function routeFor(
  plan: Plan,
  owner: GitOpsOwner | null,
  workloadAnnotations: Record<string, string>,
  nowSeconds: number,
): Route {
  if (plan.autoscaler) {
    return owner
      ? {
          kind: "git",
          why: "the autoscaler is managed with the workload: a live change would be reverted at the next sync",
        }
      : { kind: "autoscaler", name: plan.autoscaler, namespace: plan.target.namespace, patch: plan.patch };
  }
  if (!owner || plan.action === "restart") return { kind: "live" };
  if (owner.tool !== "flux-helm")
    return { kind: "git", why: "a live patch would be reverted at the next sync, and memops does not write to Git" };
  const reconcile = { metadata: { annotations: { [RECONCILE_AT]: new Date(nowSeconds * 1000).toISOString() } } };
  const where = `HelmRelease ${owner.namespace}/${owner.name} spec.values`;
  if (plan.action === "scale-out") {
    const path = workloadAnnotations[REPLICAS_PATH] ?? "replicaCount";
    const after = Number(plan.changes[0]?.after);
    return {
      kind: "helm-release",
      name: owner.name,
      namespace: owner.namespace,
      patch: { ...reconcile, spec: { values: nested(path, after) } },
      changes: [{ path: `${where}.${path}`, before: plan.changes[0]?.before ?? "?", after: String(after) }],
    };
  }
  const container = plan.container ?? "";
  const path = workloadAnnotations[`${VALUES_PATH}.${container}`] ?? workloadAnnotations[VALUES_PATH] ?? "resources";
  const resources: Record<string, Record<string, string>> = {};
  const changes: Change[] = [];
  for (const c of plan.changes) {
    const field = c.path.endsWith(".limits.memory")
      ? "limits"
      : c.path.endsWith(".requests.memory")
        ? "requests"
        : null;
    if (!field) continue;
    resources[field] = { memory: c.after };
    changes.push({ path: `${where}.${path}.${field}.memory`, before: c.before, after: c.after });
  }
  return {
    kind: "helm-release",
    name: owner.name,
    namespace: owner.namespace,
    patch: { ...reconcile, spec: { values: nested(path, resources) } },
    changes,
  };
}
