/**
 * The Cluster port on a real API server, over HTTP (kube-http.ts). client-node's types describe the
 * JSON (type-only imports: erased at run time, so serving never loads client-node itself).
 */
import type {
  CoreV1Event,
  V2HorizontalPodAutoscaler,
  V1Node,
  V1Pod,
  V1ReplicaSet,
  V1SubjectAccessReview,
} from "@kubernetes/client-node";
import type { ClusterEvent, NodeInfo, Pod, WorkloadObject } from "../core/model.ts";
import type { PreflightFacts } from "../core/remediation/preflight.ts";
import type { WorkloadKind } from "../core/target.ts";
import type { JsonPatchOp } from "../core/remediation/json-patch.ts";
import { type Autoscaler, type Cluster, type Page, type PodQuery, PortError, type WorkloadRef } from "../ports.ts";
import { kubeError, orFail, orNull } from "./errors.ts";
import { formatBytes } from "../core/quantity.ts";
import { countObjects } from "./count-objects.ts";
import { KubeHttp, KubeHttpError, type List, nsPath, PATCH, TimedOut, TooLarge } from "./kube-http.ts";
import type { KubeTarget } from "./kube-config.ts";
import { jsonPodListRequests, podListRequests } from "./node-requests.ts";
import { preflightFacts } from "./preflight-facts.ts";
import { API_KINDS, type AppsObject, toWorkload } from "./translate-workload.ts";
import { bytesOf, toEvent, toNode, toPod } from "./translate.ts";

const APPS_PLURAL = {
  deployment: "deployments",
  statefulset: "statefulsets",
  daemonset: "daemonsets",
  replicaset: "replicasets",
} as const;
const seg = encodeURIComponent;
const HELM = "/apis/helm.toolkit.fluxcd.io/v2";

export class KubeCluster implements Cluster {
  readonly #http: KubeHttp;

  constructor(target: KubeTarget) {
    this.#http = new KubeHttp(target);
  }

  async getPod(namespace: string, name: string): Promise<Pod | null> {
    const p = await orNull(
      this.#http.get<V1Pod>(`/api/v1${nsPath(namespace)}/pods/${seg(name)}`),
      `read pod ${name} in namespace ${namespace}`,
    );
    return p ? toPod(p) : null;
  }

  async getWorkload(
    namespace: string,
    kind: WorkloadKind | "replicaset",
    name: string,
  ): Promise<WorkloadObject | null> {
    const o = await orNull(
      this.#http.get<AppsObject>(`/apis/apps/v1${nsPath(namespace)}/${APPS_PLURAL[kind]}/${seg(name)}`),
      `read ${kind} ${name} in namespace ${namespace}`,
    );
    return o ? toWorkload(kind, o) : null;
  }

  async listReplicaSets(namespace: string, labelSelector: string): Promise<WorkloadObject[]> {
    const list = await orFail(
      this.#http.get<List<V1ReplicaSet>>(`/apis/apps/v1${nsPath(namespace)}/replicasets`, { labelSelector }),
      `list replicasets in namespace ${namespace}`,
    );
    return list.items.map((rs) => toWorkload("replicaset", rs));
  }

  async listPods(namespace: string | null, q: PodQuery): Promise<Page<Pod>> {
    const list = await orFail(
      this.#http.get<List<V1Pod>>(`/api/v1${nsPath(namespace)}/pods`, {
        limit: q.limit,
        labelSelector: q.labelSelector,
        fieldSelector: q.fieldSelector,
        continue: q.continueToken,
      }),
      namespace === null ? "list pods in all namespaces" : `list pods in namespace ${namespace}`,
    );
    return { items: list.items.map(toPod), continueToken: list.metadata?.continue || null };
  }

  async listEvents(namespace: string | null, fieldSelector: string, limit: number): Promise<ClusterEvent[]> {
    const list = await orFail(
      this.#http.get<List<CoreV1Event>>(`/api/v1${nsPath(namespace)}/events`, { fieldSelector, limit }),
      namespace === null ? "list events in all namespaces" : `list events in namespace ${namespace}`,
    );
    return list.items.map(toEvent);
  }

  async getNode(name: string): Promise<NodeInfo | null> {
    const n = await orNull(this.#http.get<V1Node>(`/api/v1/nodes/${seg(name)}`), `read node ${name}`);
    return n ? toNode(n) : null;
  }

  async nodeRequests(node: string): Promise<{ pods: number; requestedBytes: number }> {
    const fieldSelector = `spec.nodeName=${node},status.phase!=Succeeded,status.phase!=Failed`;
    let pods = 0;
    let requestedBytes = 0;
    let token: string | null = null;
    do {
      const res: { contentType: string; body: Buffer } = await orFail(
        // resourceVersion 0: from the API server's watch cache, not a quorum read of etcd (half the time here);
        // a sum of requests a few milliseconds old is as good as a fresh one
        this.#http.protobuf("/api/v1/pods", {
          limit: 500,
          fieldSelector,
          resourceVersion: token ? undefined : "0",
          continue: token ?? undefined,
        }),
        `list the pods on node ${node}`,
      );
      const page: { pods: number; requestedBytes: number; continueToken: string | null } = res.contentType.startsWith(
        "application/vnd.kubernetes.protobuf",
      )
        ? podListRequests(res.body)
        : jsonPodListRequests(JSON.parse(res.body.toString("utf8")) as List<V1Pod>);
      pods += page.pods;
      requestedBytes += page.requestedBytes;
      token = page.continueToken;
    } while (token);
    return { pods, requestedBytes };
  }

  async readLog(namespace: string, pod: string, container: string, o: { previous: boolean; tailLines: number }) {
    return orFail(
      this.#http.text(`/api/v1${nsPath(namespace)}/pods/${seg(pod)}/log`, {
        container,
        previous: o.previous,
        tailLines: o.tailLines,
      }),
      `read the ${o.previous ? "previous " : ""}log of ${pod}/${container}`,
    );
  }

  async podProxyGet(
    namespace: string,
    pod: string,
    port: number,
    path: string,
    o: { maxBytes: number; timeoutMs: number; query?: Record<string, string> },
  ): Promise<Uint8Array> {
    const what = `read ${path} on port ${port} of ${pod} through the pod proxy`;
    const rest = path.split("/").filter(Boolean).map(seg).join("/");
    try {
      return await this.#http.bytes(`/api/v1${nsPath(namespace)}/pods/${seg(pod)}:${port}/proxy/${rest}`, o, o.query);
    } catch (e) {
      if (e instanceof TooLarge)
        throw new PortError("kubernetes", "invalid", `the answer to ${what} is larger than ${formatBytes(e.maxBytes)}`);
      if (e instanceof TimedOut)
        throw new PortError("kubernetes", "timeout", `no answer within ${e.timeoutMs / 1000} s to ${what}`);
      // the proxy's 503: nothing listens there (connection refused), or the pod cannot be reached
      if (e instanceof KubeHttpError && e.code === 503)
        throw new PortError(
          "kubernetes",
          "unavailable",
          `nothing answered on port ${port} of ${pod} (the pod proxy could not connect)`,
        );
      throw kubeError(e, what);
    }
  }

  async currentUsage(namespace: string): Promise<Map<string, number> | null> {
    let list: List<{ metadata: { name: string }; containers: { name: string; usage: { memory?: string } }[] }>;
    try {
      list = await this.#http.get(`/apis/metrics.k8s.io/v1beta1${nsPath(namespace)}/pods`);
    } catch {
      // metrics.k8s.io is an optional aggregated API: absent or refused means "no current usage from here".
      return null;
    }
    const usage = new Map<string, number>();
    for (const p of list.items)
      for (const c of p.containers) {
        const b = bytesOf(c.usage.memory);
        if (b !== null) usage.set(`${p.metadata.name}/${c.name}`, b);
      }
    return usage;
  }

  async countObjects(apiVersion: string, kind: string, namespace: string | null) {
    return countObjects(this.#http, apiVersion, kind, namespace);
  }

  async patchWorkload(ref: WorkloadRef, ops: readonly JsonPatchOp[], o: { dryRun: boolean }): Promise<WorkloadObject> {
    const obj = await orFail(
      this.#http.patch<AppsObject>(
        `/apis/apps/v1${nsPath(ref.namespace)}/${APPS_PLURAL[ref.kind]}/${seg(ref.name)}`,
        PATCH.json,
        ops,
        {
          fieldManager: "memops",
          ...(o.dryRun ? { dryRun: "All" } : {}),
        },
      ),
      `${o.dryRun ? "dry-run " : ""}patch ${ref.kind} ${ref.name} in namespace ${ref.namespace}`,
    );
    return toWorkload(ref.kind, obj);
  }

  async preflightFacts(ref: WorkloadRef): Promise<PreflightFacts> {
    return preflightFacts(this.#http, ref);
  }

  async helmReleaseVersion(ref: { namespace: string; name: string }): Promise<string | null> {
    const r = await orNull(
      this.#http.get<{ metadata?: { resourceVersion?: string } }>(
        `${HELM}${nsPath(ref.namespace)}/helmreleases/${seg(ref.name)}`,
      ),
      `get HelmRelease ${ref.name} in namespace ${ref.namespace}`,
    );
    return r?.metadata?.resourceVersion ?? null;
  }

  async patchHelmRelease(
    ref: { namespace: string; name: string },
    patch: Record<string, unknown>,
    o: { dryRun: boolean },
  ) {
    const r = await orFail(
      this.#http.patch<{ metadata?: { generation?: number } }>(
        `${HELM}${nsPath(ref.namespace)}/helmreleases/${seg(ref.name)}`,
        PATCH.merge,
        patch,
        { fieldManager: "memops", ...(o.dryRun ? { dryRun: "All" } : {}) },
      ),
      `${o.dryRun ? "dry-run " : ""}patch HelmRelease ${ref.name} in namespace ${ref.namespace}`,
    );
    return r.metadata?.generation ?? 0;
  }

  async autoscalerFor(ref: WorkloadRef): Promise<Autoscaler | null> {
    const list = await orFail(
      this.#http.get<List<V2HorizontalPodAutoscaler>>(
        `/apis/autoscaling/v2${nsPath(ref.namespace)}/horizontalpodautoscalers`,
      ),
      `list horizontalpodautoscalers in namespace ${ref.namespace}`,
    );
    const kind = API_KINDS[ref.kind];
    const h = list.items.find((x) => x.spec?.scaleTargetRef.kind === kind && x.spec.scaleTargetRef.name === ref.name);
    return h?.spec
      ? { name: h.metadata?.name ?? "", minReplicas: h.spec.minReplicas ?? 1, maxReplicas: h.spec.maxReplicas }
      : null;
  }

  async patchAutoscaler(ref: { namespace: string; name: string }, ops: readonly JsonPatchOp[], o: { dryRun: boolean }) {
    const r = await orFail(
      this.#http.patch<V2HorizontalPodAutoscaler>(
        `/apis/autoscaling/v2${nsPath(ref.namespace)}/horizontalpodautoscalers/${seg(ref.name)}`,
        PATCH.json,
        ops,
        { fieldManager: "memops", ...(o.dryRun ? { dryRun: "All" } : {}) },
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
      this.#http.post<V1SubjectAccessReview>("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
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
      }),
      "create a SubjectAccessReview",
    );
    return review.status?.allowed === true;
  }

  async version(): Promise<string> {
    const v = await orFail(this.#http.get<{ gitVersion: string }>("/version"), "read the server version");
    return v.gitVersion;
  }
}
