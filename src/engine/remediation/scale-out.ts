import { type Plan, planScale } from "../../core/remediation/plan.ts";
import type { Result } from "../../core/result.ts";
import type { WorkloadObject } from "../../core/model.ts";
import type { Cluster } from "../../ports.ts";

/** Scale a workload out to `replicas`, through its HorizontalPodAutoscaler when one owns the count. */
export async function planScaleOut(
  cluster: Cluster,
  w: WorkloadObject,
  replicas: number,
  maxReplicas: number | null,
): Promise<Result<Plan>> {
  const hpa =
    w.kind === "deployment" || w.kind === "statefulset"
      ? await cluster.autoscalerFor({ kind: w.kind, namespace: w.namespace, name: w.name })
      : null;
  return planScale(w, replicas, { hpa, maxReplicas });
}
