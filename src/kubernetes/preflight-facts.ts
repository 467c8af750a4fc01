/** What can make an approved change fail later, read from the API server. */
import type { AutoscalingV2Api, CoreV1Api } from "@kubernetes/client-node";
import type { PreflightFacts } from "../core/remediation/preflight.ts";
import type { WorkloadRef } from "../ports.ts";
import { orFail } from "./errors.ts";
import { API_KINDS } from "./translate-workload.ts";
import { bytesOf } from "./translate.ts";

async function largestNode(core: CoreV1Api): Promise<number | null> {
  let largest: number | null = null;
  let token: string | undefined;
  do {
    const page = await orFail(core.listNode({ limit: 500, _continue: token }), "list nodes");
    for (const n of page.items) {
      const b = bytesOf(n.status?.allocatable?.["memory"]);
      if (b !== null && (largest === null || b > largest)) largest = b;
    }
    token = page.metadata?._continue || undefined;
  } while (token);
  return largest;
}

export async function preflightFacts(
  core: CoreV1Api,
  autoscaling: AutoscalingV2Api,
  ref: WorkloadRef,
): Promise<PreflightFacts> {
  const ns = ref.namespace;
  const [ranges, quotas, hpas, largest] = await Promise.all([
    orFail(core.listNamespacedLimitRange({ namespace: ns }), `list limitranges in namespace ${ns}`),
    orFail(core.listNamespacedResourceQuota({ namespace: ns }), `list resourcequotas in namespace ${ns}`),
    orFail(
      autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ns }),
      `list horizontalpodautoscalers in namespace ${ns}`,
    ),
    largestNode(core),
  ]);
  const maxes = ranges.items
    .flatMap((r) => (r.spec?.limits ?? []).filter((l) => l.type === "Container").map((l) => bytesOf(l.max?.["memory"])))
    .filter((b): b is number => b !== null);
  const quota = quotas.items.flatMap((q) =>
    (["limits.memory", "requests.memory"] as const).flatMap((resource) => {
      const hard = bytesOf(q.status?.hard?.[resource] ?? q.spec?.hard?.[resource]);
      return hard === null
        ? []
        : [
            {
              resource,
              name: q.metadata?.name ?? "",
              hardBytes: hard,
              usedBytes: bytesOf(q.status?.used?.[resource]) ?? 0,
            },
          ];
    }),
  );
  const kind = API_KINDS[ref.kind];
  const hpa = hpas.items.find((h) => h.spec?.scaleTargetRef.kind === kind && h.spec.scaleTargetRef.name === ref.name);
  return {
    limitRangeMaxBytes: maxes.length ? Math.min(...maxes) : null,
    quota,
    largestNodeAllocatableBytes: largest,
    hpa: hpa
      ? {
          name: hpa.metadata?.name ?? "",
          onMemory: (hpa.spec?.metrics ?? []).some(
            (m) => m.resource?.name === "memory" || m.containerResource?.name === "memory",
          ),
        }
      : null,
  };
}
