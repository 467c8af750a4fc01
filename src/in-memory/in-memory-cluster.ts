import { eventFieldsMatch, matchesSelector, podFieldsMatch } from "../core/selectors.ts";
import { type ClusterEvent, type NodeInfo, type Pod, podRequestBytes, type WorkloadObject } from "../core/model.ts";
import type { JsonPatchOp } from "../core/remediation/json-patch.ts";
import type { PreflightFacts } from "../core/remediation/preflight.ts";
import type { WorkloadKind } from "../core/target.ts";
import type { Autoscaler, Cluster, Page, PodQuery, WorkloadRef } from "../ports.ts";
import { PortError } from "../ports.ts";
import { applyWorkloadPatch, patchRefused } from "./apply-patch.ts";

export type NamespacedEvent = ClusterEvent & { namespace: string };

/**
 * The Cluster port over objects held in memory, with the API server's semantics for what memops reads and
 * writes: label and field selectors, paginated lists with continue tokens, and atomic JSON Patches whose
 * `test`s either all hold or change nothing. The playground's simulation and the tests' fake supply the
 * objects; this class is the one place those semantics live.
 */
export abstract class InMemoryCluster implements Cluster {
  /** pods as the API server would list them (not deleted) */
  protected abstract pods(): Pod[];
  /** Deployments, StatefulSets, DaemonSets and ReplicaSets */
  protected abstract workloads(): WorkloadObject[];
  protected abstract events(): NamespacedEvent[];
  protected abstract nodes(): NodeInfo[];
  /** stores a patched workload; answers the object as the server has it after the write */
  protected abstract commit(before: WorkloadObject, after: WorkloadObject): Promise<WorkloadObject>;

  /** called first by every method: a hook for call recording and injected failures */
  protected async enter(_method: keyof Cluster, ..._args: unknown[]): Promise<void> {}

  abstract readLog(
    namespace: string,
    pod: string,
    container: string,
    options: { previous: boolean; tailLines: number },
  ): Promise<string>;
  abstract currentUsage(namespace: string): Promise<Map<string, number> | null>;
  abstract podProxyGet(
    namespace: string,
    pod: string,
    port: number,
    path: string,
    options: { maxBytes: number; timeoutMs: number; query?: Record<string, string> },
  ): Promise<Uint8Array>;
  abstract countObjects(
    apiVersion: string,
    kind: string,
    namespace: string | null,
  ): Promise<{ count: number; estimated: boolean }>;
  abstract preflightFacts(ref: WorkloadRef): Promise<PreflightFacts>;
  abstract helmReleaseVersion(ref: { namespace: string; name: string }): Promise<string | null>;
  abstract patchHelmRelease(
    ref: { namespace: string; name: string },
    patch: Record<string, unknown>,
    options: { dryRun: boolean },
  ): Promise<number>;
  abstract autoscalerFor(ref: WorkloadRef): Promise<Autoscaler | null>;
  abstract patchAutoscaler(
    ref: { namespace: string; name: string },
    ops: readonly JsonPatchOp[],
    options: { dryRun: boolean },
  ): Promise<number>;
  abstract mayDo(
    identity: { user: string; groups: readonly string[] },
    action: { verb: string; group: string; resource: string; subresource?: string; namespace: string; name: string },
  ): Promise<boolean>;
  abstract version(): Promise<string>;

  async getPod(namespace: string, name: string) {
    await this.enter("getPod", namespace, name);
    return this.pods().find((p) => p.namespace === namespace && p.name === name) ?? null;
  }

  async getWorkload(namespace: string, kind: WorkloadKind | "replicaset", name: string) {
    await this.enter("getWorkload", namespace, kind, name);
    const w = this.#workload({ namespace, kind, name });
    return w ? structuredClone(w) : null;
  }

  async listReplicaSets(namespace: string, labelSelector: string) {
    await this.enter("listReplicaSets", namespace, labelSelector);
    return this.workloads().filter(
      (w) => w.kind === "replicaset" && w.namespace === namespace && matchesSelector(w.labels, labelSelector),
    );
  }

  async listPods(namespace: string | null, q: PodQuery): Promise<Page<Pod>> {
    await this.enter("listPods", namespace, q);
    const all = this.pods().filter(
      (p) =>
        (namespace === null || p.namespace === namespace) &&
        matchesSelector(p.labels, q.labelSelector) &&
        podFieldsMatch(p, q.fieldSelector),
    );
    const start = q.continueToken ? Number(q.continueToken) : 0;
    const end = start + q.limit;
    return { items: all.slice(start, end), continueToken: end < all.length ? String(end) : null };
  }

  async listEvents(namespace: string | null, fieldSelector: string, limit: number) {
    await this.enter("listEvents", namespace, fieldSelector, limit);
    return this.events()
      .filter((e) => (namespace === null || e.namespace === namespace) && eventFieldsMatch(e, fieldSelector))
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }

  async getNode(name: string) {
    await this.enter("getNode", name);
    return this.nodes().find((n) => n.name === name) ?? null;
  }

  async nodeRequests(node: string) {
    await this.enter("nodeRequests", node);
    const pods = this.pods().filter((p) => p.nodeName === node && p.phase !== "Succeeded" && p.phase !== "Failed");
    return { pods: pods.length, requestedBytes: pods.reduce((sum, p) => sum + podRequestBytes(p), 0) };
  }

  async patchWorkload(ref: WorkloadRef, ops: readonly JsonPatchOp[], o: { dryRun: boolean }) {
    await this.enter("patchWorkload", ref, ops, o);
    const w = this.#workload(ref);
    if (!w)
      throw new PortError("kubernetes", "not-found", `${ref.kind} ${ref.name} not found in namespace ${ref.namespace}`);
    const patched = applyWorkloadPatch(w, ops);
    if (!patched.ok) throw patchRefused(`patch ${ref.kind} ${ref.name} in namespace ${ref.namespace}`, patched.error);
    return structuredClone(o.dryRun ? patched.value : await this.commit(w, patched.value));
  }

  #workload(ref: { namespace: string; kind: WorkloadKind | "replicaset"; name: string }) {
    return this.workloads().find((w) => w.namespace === ref.namespace && w.kind === ref.kind && w.name === ref.name);
  }
}
