/** client-node's apps/v1 objects → the core's WorkloadObject. */
import type { V1DaemonSet, V1Deployment, V1ReplicaSet, V1StatefulSet } from "@kubernetes/client-node";
import type { RawResources, WorkloadObject } from "../core/model.ts";
import { bytesOf, ownersOf, selectorString } from "./translate.ts";

/** the kind as the API (and a scaleTargetRef) spells it */
export const API_KINDS = { deployment: "Deployment", statefulset: "StatefulSet", daemonset: "DaemonSet" } as const;

export type AppsObject = V1Deployment | V1StatefulSet | V1DaemonSet | V1ReplicaSet;

export function toWorkload(kind: WorkloadObject["kind"], o: AppsObject): WorkloadObject {
  const st = (o.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    updatedNumberScheduled?: number;
    readyReplicas?: number;
    numberReady?: number;
    availableReplicas?: number;
    numberAvailable?: number;
    desiredNumberScheduled?: number;
  };
  return {
    kind,
    name: o.metadata?.name ?? "",
    namespace: o.metadata?.namespace ?? "",
    uid: o.metadata?.uid ?? "",
    owners: ownersOf(o.metadata),
    selector: selectorString(o.spec?.selector),
    labels: o.metadata?.labels ?? {},
    annotations: o.metadata?.annotations ?? {},
    replicas: o.spec && "replicas" in o.spec ? (o.spec.replicas ?? null) : null,
    template: {
      containers: (o.spec?.template?.spec?.containers ?? []).map((c) => ({
        name: c.name,
        requestBytes: bytesOf(c.resources?.requests?.["memory"]),
        limitBytes: bytesOf(c.resources?.limits?.["memory"]),
        resources: JSON.parse(JSON.stringify(c.resources ?? {})) as RawResources,
      })),
      annotations: o.spec?.template?.metadata?.annotations ?? {},
    },
    rollout: {
      generation: o.metadata?.generation ?? 0,
      observedGeneration: st.observedGeneration ?? 0,
      replicas: st.replicas ?? st.desiredNumberScheduled ?? 0,
      updatedReplicas: st.updatedReplicas ?? st.updatedNumberScheduled ?? 0,
      readyReplicas: st.readyReplicas ?? st.numberReady ?? 0,
      availableReplicas: st.availableReplicas ?? st.numberAvailable ?? 0,
    },
  };
}
