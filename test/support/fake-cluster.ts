import type { NodeInfo, Pod, WorkloadObject } from "../../src/core/model.ts";
import { patchRefused } from "../../src/in-memory/apply-patch.ts";
import { InMemoryCluster, type NamespacedEvent } from "../../src/in-memory/in-memory-cluster.ts";
import { applyJsonPatch, type JsonPatchOp } from "../../src/core/remediation/json-patch.ts";
import type { PreflightFacts } from "../../src/core/remediation/preflight.ts";
import { type Cluster, PortError, type WorkloadRef } from "../../src/ports.ts";

export interface FakeClusterData {
  pods?: Pod[];
  workloads?: WorkloadObject[];
  nodes?: NodeInfo[];
  events?: NamespacedEvent[];
  /** "ns/pod/container" or "ns/pod/container/previous" → log text */
  logs?: Record<string, string>;
  /** "ns/pod/container" → bytes, as metrics.k8s.io would serve; absent = API not served */
  usage?: Record<string, number>;
  /** "apiVersion/Kind/namespace" (or "/*" for cluster-wide) → how many objects */
  objects?: Record<string, number>;
  /** "namespace/kind/name" of a workload → the HorizontalPodAutoscaler that owns its replicas */
  autoscalers?: Record<string, string>;
  /** LimitRange maximum and ResourceQuotas of every namespace, for pre-flight checks */
  limits?: { limitRangeMaxBytes?: number | null; quota?: PreflightFacts["quota"] };
  /** Kubernetes users (and groups) allowed to patch workloads, for SubjectAccessReviews */
  patchers?: string[];
  /** Kubernetes users (and groups) allowed to read pod logs, for SubjectAccessReviews */
  logReaders?: string[];
  /** "ns/pod:port/path" → what a pod serves there through the pod proxy (a function: a fresh answer each time) */
  proxy?: Record<string, Uint8Array | (() => Uint8Array)>;
  /** method names that answer 403 */
  forbidden?: (keyof Cluster)[];
  /** method names that never answer */
  hang?: (keyof Cluster)[];
  /** method names that do their work, then never answer (a process that dies before it hears back) */
  hangAfter?: (keyof Cluster)[];
}

/** The in-memory cluster over plain arrays, with call counting and injectable failures. */
export class FakeCluster extends InMemoryCluster {
  readonly data: Required<Omit<FakeClusterData, "usage">> & { usage?: Record<string, number> };
  readonly calls: { method: string; args: unknown[] }[] = [];

  constructor(data: FakeClusterData = {}) {
    super();
    this.data = {
      pods: [],
      workloads: [],
      nodes: [],
      events: [],
      logs: {},
      objects: {},
      autoscalers: {},
      patchers: [],
      proxy: {},
      logReaders: [],
      limits: {},
      forbidden: [],
      hang: [],
      hangAfter: [],
      ...data,
    };
  }

  protected override async enter(method: keyof Cluster, ...args: unknown[]) {
    this.calls.push({ method, args });
    if (this.data.hang.includes(method)) await new Promise(() => undefined);
    if (this.data.forbidden.includes(method))
      throw new PortError("kubernetes", "forbidden", `memops is not allowed to ${method} (forbidden by RBAC)`);
  }

  protected pods() {
    return this.data.pods;
  }

  protected workloads() {
    return this.data.workloads;
  }

  protected events() {
    return this.data.events;
  }

  protected nodes() {
    return this.data.nodes;
  }

  /** No controllers here: the rollout completes at once. */
  protected async commit(before: WorkloadObject, after: WorkloadObject) {
    const r = after.replicas ?? after.rollout.replicas;
    const g = after.rollout.generation;
    const next: WorkloadObject = {
      ...after,
      rollout: {
        generation: g,
        observedGeneration: g,
        replicas: r,
        updatedReplicas: r,
        readyReplicas: r,
        availableReplicas: r,
      },
    };
    this.data.workloads[this.data.workloads.indexOf(before)] = next;
    if (this.data.hangAfter.includes("patchWorkload")) await new Promise(() => undefined);
    return next;
  }

  async readLog(namespace: string, pod: string, container: string, o: { previous: boolean; tailLines: number }) {
    await this.enter("readLog", namespace, pod, container, o);
    const text = this.data.logs[`${namespace}/${pod}/${container}${o.previous ? "/previous" : ""}`];
    if (text === undefined)
      throw new PortError(
        "kubernetes",
        "invalid",
        `the Kubernetes API refused to read the ${o.previous ? "previous " : ""}log of ${pod}/${container} (HTTP 400)`,
      );
    return text.split("\n").slice(-o.tailLines).join("\n");
  }

  async podProxyGet(
    namespace: string,
    pod: string,
    port: number,
    path: string,
    o: { maxBytes: number; timeoutMs: number; query?: Record<string, string> },
  ): Promise<Uint8Array> {
    await this.enter("podProxyGet", namespace, pod, port, path, o);
    const served = this.data.proxy[`${namespace}/${pod}:${port}${path}`];
    if (!served)
      throw new PortError(
        "kubernetes",
        "unavailable",
        `nothing answered on port ${port} of ${pod} (the pod proxy could not connect)`,
      );
    const bytes = typeof served === "function" ? served() : served;
    if (bytes.length > o.maxBytes)
      throw new PortError("kubernetes", "invalid", `the answer to read ${path} of ${pod} is larger than the cap`);
    return bytes;
  }

  async currentUsage(namespace: string) {
    await this.enter("currentUsage", namespace);
    if (!this.data.usage) return null;
    const m = new Map<string, number>();
    for (const [k, v] of Object.entries(this.data.usage))
      if (k.startsWith(`${namespace}/`)) m.set(k.slice(namespace.length + 1), v);
    return m;
  }

  async countObjects(apiVersion: string, kind: string, namespace: string | null) {
    await this.enter("countObjects", apiVersion, kind, namespace);
    const key = `${apiVersion}/${kind}/${namespace ?? "*"}`;
    if (!(key in this.data.objects))
      throw new PortError("kubernetes", "not-found", `not found while trying to list ${kind} (${apiVersion})`);
    return { count: this.data.objects[key] ?? 0, estimated: (this.data.objects[key] ?? 0) > 1000 };
  }

  async preflightFacts(ref: WorkloadRef): Promise<PreflightFacts> {
    await this.enter("preflightFacts", ref);
    const hpa = this.data.autoscalers[`${ref.namespace}/${ref.kind}/${ref.name}`];
    return {
      limitRangeMaxBytes: this.data.limits?.limitRangeMaxBytes ?? null,
      quota: this.data.limits?.quota ?? [],
      largestNodeAllocatableBytes: this.data.nodes.reduce<number | null>(
        (m, n) => (n.allocatableBytes !== null && (m === null || n.allocatableBytes > m) ? n.allocatableBytes : m),
        null,
      ),
      hpa: hpa ? { name: hpa, onMemory: true } : null,
    };
  }

  readonly helmReleasePatches: {
    ref: { namespace: string; name: string };
    patch: Record<string, unknown>;
    dryRun: boolean;
  }[] = [];

  /** each HelmRelease's resourceVersion, moved on by every real patch (and by a test, as someone else's edit) */
  readonly helmReleaseVersions = new Map<string, number>();

  async helmReleaseVersion(ref: { namespace: string; name: string }) {
    await this.enter("helmReleaseVersion", ref);
    return String(this.helmReleaseVersions.get(`${ref.namespace}/${ref.name}`) ?? 100);
  }

  async patchHelmRelease(
    ref: { namespace: string; name: string },
    patch: Record<string, unknown>,
    o: { dryRun: boolean },
  ) {
    await this.enter("patchHelmRelease", ref, patch, o);
    const key = `${ref.namespace}/${ref.name}`;
    const current = this.helmReleaseVersions.get(key) ?? 100;
    const expected = (patch["metadata"] as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (expected !== undefined && expected !== String(current))
      throw new PortError(
        "kubernetes",
        "conflict",
        `the object changed since the request was made, so the API server refused to patch HelmRelease ${ref.name}`,
      );
    this.helmReleasePatches.push({ ref, patch, dryRun: o.dryRun });
    if (!o.dryRun) this.helmReleaseVersions.set(key, current + 1);
    return 7 + this.helmReleasePatches.filter((p) => !p.dryRun).length;
  }

  /** every HPA starts at minReplicas 2, maxReplicas 5 */
  readonly #hpaMax = new Map<string, number>();

  async autoscalerFor(ref: WorkloadRef) {
    await this.enter("autoscalerFor", ref);
    const name = this.data.autoscalers[`${ref.namespace}/${ref.kind}/${ref.name}`];
    return name ? { name, minReplicas: 2, maxReplicas: this.#hpaMax.get(`${ref.namespace}/${name}`) ?? 5 } : null;
  }

  readonly autoscalerPatches: {
    ref: { namespace: string; name: string };
    ops: readonly JsonPatchOp[];
    dryRun: boolean;
  }[] = [];

  async patchAutoscaler(ref: { namespace: string; name: string }, ops: readonly JsonPatchOp[], o: { dryRun: boolean }) {
    await this.enter("patchAutoscaler", ref, ops, o);
    const key = `${ref.namespace}/${ref.name}`;
    const patched = applyJsonPatch({ spec: { minReplicas: 2, maxReplicas: this.#hpaMax.get(key) ?? 5 } }, ops);
    if (!patched.ok)
      throw patchRefused(`patch HorizontalPodAutoscaler ${ref.name} in namespace ${ref.namespace}`, patched.error);
    this.autoscalerPatches.push({ ref, ops, dryRun: o.dryRun });
    if (!o.dryRun) this.#hpaMax.set(key, patched.value.spec.maxReplicas);
    return patched.value.spec.maxReplicas;
  }

  async mayDo(
    identity: { user: string; groups: readonly string[] },
    action: { verb: string; resource: string; subresource?: string },
  ) {
    await this.enter("mayDo", identity, action);
    const who = [identity.user, ...identity.groups];
    if (action.verb === "get" && action.resource === "pods" && action.subresource === "log")
      return who.some((x) => this.data.logReaders.includes(x));
    return action.verb === "patch" && who.some((x) => this.data.patchers.includes(x));
  }

  async version() {
    await this.enter("version");
    return "v1.33.0-fake";
  }
}
