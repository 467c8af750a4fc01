import {
  AppsV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
  type KubeConfig,
  Metrics,
} from "@kubernetes/client-node";
import type { ClusterEvent, NodeInfo, Pod, WorkloadObject } from "../core/model.ts";
import type { PreflightFacts } from "../core/remediation/preflight.ts";
import type { WorkloadKind } from "../core/target.ts";
import type { JsonPatchOp } from "../core/remediation/json-patch.ts";
import type { Autoscaler, Cluster, Page, PodQuery, WorkloadRef } from "../ports.ts";
import { orFail, orNull } from "./errors.ts";
import { countObjects } from "./count-objects.ts";
import { preflightFacts } from "./preflight-facts.ts";
import { API_KINDS, type AppsObject, toWorkload } from "./translate-workload.ts";
import { bytesOf, toEvent, toNode, toPod } from "./translate.ts";

/** The Cluster port on a real API server, through @kubernetes/client-node. */
export class KubeCluster implements Cluster {
  readonly #core: CoreV1Api;
  readonly #apps: AppsV1Api;
  readonly #metrics: Metrics;
  readonly #version: VersionApi;
  readonly #objects: KubernetesObjectApi;
  readonly #autoscaling: AutoscalingV2Api;
  readonly #authz: AuthorizationV1Api;
  readonly #custom: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#apps = kc.makeApiClient(AppsV1Api);
    this.#metrics = new Metrics(kc);
    this.#version = kc.makeApiClient(VersionApi);
    this.#objects = KubernetesObjectApi.makeApiClient(kc);
    this.#autoscaling = kc.makeApiClient(AutoscalingV2Api);
    this.#authz = kc.makeApiClient(AuthorizationV1Api);
    this.#custom = kc.makeApiClient(CustomObjectsApi);
  }

  async getPod(namespace: string, name: string): Promise<Pod | null> {
    const p = await orNull(
      this.#core.readNamespacedPod({ namespace, name }),
      `read pod ${name} in namespace ${namespace}`,
    );
    return p ? toPod(p) : null;
  }

  async getWorkload(
    namespace: string,
    kind: WorkloadKind | "replicaset",
    name: string,
  ): Promise<WorkloadObject | null> {
    const what = `read ${kind} ${name} in namespace ${namespace}`;
    const a = this.#apps;
    const o: AppsObject | null =
      kind === "deployment"
        ? await orNull(a.readNamespacedDeployment({ namespace, name }), what)
        : kind === "statefulset"
          ? await orNull(a.readNamespacedStatefulSet({ namespace, name }), what)
          : kind === "daemonset"
            ? await orNull(a.readNamespacedDaemonSet({ namespace, name }), what)
            : await orNull(a.readNamespacedReplicaSet({ namespace, name }), what);
    return o ? toWorkload(kind, o) : null;
  }

  async listReplicaSets(namespace: string, labelSelector: string): Promise<WorkloadObject[]> {
    const list = await orFail(
      this.#apps.listNamespacedReplicaSet({ namespace, labelSelector }),
      `list replicasets in namespace ${namespace}`,
    );
    return list.items.map((rs) => toWorkload("replicaset", rs));
  }

  async listPods(namespace: string | null, q: PodQuery): Promise<Page<Pod>> {
    const params = {
      limit: q.limit,
      labelSelector: q.labelSelector,
      fieldSelector: q.fieldSelector,
      _continue: q.continueToken,
    };
    const list =
      namespace === null
        ? await orFail(this.#core.listPodForAllNamespaces(params), "list pods in all namespaces")
        : await orFail(this.#core.listNamespacedPod({ namespace, ...params }), `list pods in namespace ${namespace}`);
    return { items: list.items.map(toPod), continueToken: list.metadata?._continue || null };
  }

  async listEvents(namespace: string | null, fieldSelector: string, limit: number): Promise<ClusterEvent[]> {
    const list =
      namespace === null
        ? await orFail(this.#core.listEventForAllNamespaces({ fieldSelector, limit }), "list events in all namespaces")
        : await orFail(
            this.#core.listNamespacedEvent({ namespace, fieldSelector, limit }),
            `list events in namespace ${namespace}`,
          );
    return list.items.map(toEvent);
  }

  async getNode(name: string): Promise<NodeInfo | null> {
    const n = await orNull(this.#core.readNode({ name }), `read node ${name}`);
    return n ? toNode(n) : null;
  }

  async readLog(
    namespace: string,
    pod: string,
    container: string,
    o: { previous: boolean; tailLines: number },
  ): Promise<string> {
    return orFail(
      this.#core.readNamespacedPodLog({
        namespace,
        name: pod,
        container,
        previous: o.previous,
        tailLines: o.tailLines,
      }),
      `read the ${o.previous ? "previous " : ""}log of ${pod}/${container}`,
    );
  }

  async currentUsage(namespace: string): Promise<Map<string, number> | null> {
    let list;
    try {
      list = await this.#metrics.getPodMetrics(namespace);
    } catch {
      // metrics.k8s.io is an optional aggregated API: absent or refused means "no current usage from here".
      return null;
    }
    const usage = new Map<string, number>();
    for (const p of list.items) {
      for (const c of p.containers) {
        const b = bytesOf(c.usage.memory);
        if (b !== null) usage.set(`${p.metadata.name}/${c.name}`, b);
      }
    }
    return usage;
  }

  async countObjects(
    apiVersion: string,
    kind: string,
    namespace: string | null,
  ): Promise<{ count: number; estimated: boolean }> {
    return countObjects(this.#objects, apiVersion, kind, namespace);
  }

  async patchWorkload(ref: WorkloadRef, ops: readonly JsonPatchOp[], o: { dryRun: boolean }): Promise<WorkloadObject> {
    const params = {
      namespace: ref.namespace,
      name: ref.name,
      body: [...ops],
      ...(o.dryRun ? { dryRun: "All" } : {}),
      fieldManager: "memops",
    };
    const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
    const what = `${o.dryRun ? "dry-run " : ""}patch ${ref.kind} ${ref.name} in namespace ${ref.namespace}`;
    const a = this.#apps;
    const obj: AppsObject =
      ref.kind === "deployment"
        ? await orFail(a.patchNamespacedDeployment(params, jsonPatch), what)
        : ref.kind === "statefulset"
          ? await orFail(a.patchNamespacedStatefulSet(params, jsonPatch), what)
          : await orFail(a.patchNamespacedDaemonSet(params, jsonPatch), what);
    return toWorkload(ref.kind, obj);
  }

  async preflightFacts(ref: WorkloadRef): Promise<PreflightFacts> {
    return preflightFacts(this.#core, this.#autoscaling, ref);
  }

  async helmReleaseVersion(ref: { namespace: string; name: string }): Promise<string | null> {
    const r = (await orNull(
      this.#custom.getNamespacedCustomObject({
        group: "helm.toolkit.fluxcd.io",
        version: "v2",
        namespace: ref.namespace,
        plural: "helmreleases",
        name: ref.name,
      }),
      `get HelmRelease ${ref.name} in namespace ${ref.namespace}`,
    )) as { metadata?: { resourceVersion?: string } } | null;
    return r?.metadata?.resourceVersion ?? null;
  }

  async patchHelmRelease(
    ref: { namespace: string; name: string },
    patch: Record<string, unknown>,
    o: { dryRun: boolean },
  ): Promise<number> {
    const r = (await orFail(
      this.#custom.patchNamespacedCustomObject(
        {
          group: "helm.toolkit.fluxcd.io",
          version: "v2",
          namespace: ref.namespace,
          plural: "helmreleases",
          name: ref.name,
          body: patch,
          ...(o.dryRun ? { dryRun: "All" } : {}),
          fieldManager: "memops",
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
      `${o.dryRun ? "dry-run " : ""}patch HelmRelease ${ref.name} in namespace ${ref.namespace}`,
    )) as { metadata?: { generation?: number } };
    return r.metadata?.generation ?? 0;
  }

  async autoscalerFor(ref: WorkloadRef): Promise<Autoscaler | null> {
    const list = await orFail(
      this.#autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ref.namespace }),
      `list horizontalpodautoscalers in namespace ${ref.namespace}`,
    );
    const kind = API_KINDS[ref.kind];
    const h = list.items.find((x) => x.spec?.scaleTargetRef.kind === kind && x.spec.scaleTargetRef.name === ref.name);
    return h?.spec
      ? { name: h.metadata?.name ?? "", minReplicas: h.spec.minReplicas ?? 1, maxReplicas: h.spec.maxReplicas }
      : null;
  }

  async patchAutoscaler(
    ref: { namespace: string; name: string },
    ops: readonly JsonPatchOp[],
    o: { dryRun: boolean },
  ): Promise<number> {
    const r = await orFail(
      this.#autoscaling.patchNamespacedHorizontalPodAutoscaler(
        {
          namespace: ref.namespace,
          name: ref.name,
          body: [...ops],
          ...(o.dryRun ? { dryRun: "All" } : {}),
          fieldManager: "memops",
        },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      ),
      `${o.dryRun ? "dry-run " : ""}patch HorizontalPodAutoscaler ${ref.name} in namespace ${ref.namespace}`,
    );
    return r.spec?.maxReplicas ?? 0;
  }

  async mayDo(
    identity: { user: string; groups: readonly string[] },
    act: { verb: string; group: string; resource: string; subresource?: string; namespace: string; name: string },
  ): Promise<boolean> {
    const review = await orFail(
      this.#authz.createSubjectAccessReview({
        body: {
          spec: {
            user: identity.user,
            groups: [...identity.groups],
            resourceAttributes: {
              verb: act.verb,
              group: act.group,
              resource: act.resource,
              ...(act.subresource ? { subresource: act.subresource } : {}),
              namespace: act.namespace,
              name: act.name,
            },
          },
        },
      }),
      "create a SubjectAccessReview",
    );
    return review.status?.allowed === true;
  }

  async version(): Promise<string> {
    const v = await orFail(this.#version.getCode(), "read the server version");
    return v.gitVersion;
  }
}
