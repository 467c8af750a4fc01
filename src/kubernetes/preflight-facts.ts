/** What can make an approved change fail later, read from the API server. */
import type { V2HorizontalPodAutoscaler, V1LimitRange, V1Node, V1ResourceQuota } from "@kubernetes/client-node";
import { type KubeHttp, type List, nsPath } from "./kube-http.ts";
import type { PreflightFacts } from "../core/remediation/preflight.ts";
import type { WorkloadRef } from "../ports.ts";
import { orFail } from "./errors.ts";
import { API_KINDS } from "./translate-workload.ts";
import { bytesOf } from "./translate.ts";

async function largestNode(http: KubeHttp): Promise<number | null> {
  let largest: number | null = null;
  let token: string | undefined;
  do {
    const page = await orFail(http.get<List<V1Node>>("/api/v1/nodes", { limit: 500, continue: token }), "list nodes");
    for (const n of page.items) {
      const b = bytesOf(n.status?.allocatable?.["memory"]);
      if (b !== null && (largest === null || b > largest)) largest = b;
    }
    token = page.metadata?.continue || undefined;
  } while (token);
  return largest;
}

export async function preflightFacts(http: KubeHttp, ref: WorkloadRef): Promise<PreflightFacts> {
  const ns = ref.namespace;
  const [ranges, quotas, hpas, largest] = await Promise.all([
    orFail(http.get<List<V1LimitRange>>(`/api/v1${nsPath(ns)}/limitranges`), `list limitranges in namespace ${ns}`),
    orFail(
      http.get<List<V1ResourceQuota>>(`/api/v1${nsPath(ns)}/resourcequotas`),
      `list resourcequotas in namespace ${ns}`,
    ),
    orFail(
      http.get<List<V2HorizontalPodAutoscaler>>(`/apis/autoscaling/v2${nsPath(ns)}/horizontalpodautoscalers`),
      `list horizontalpodautoscalers in namespace ${ns}`,
    ),
    largestNode(http),
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
