import { eventFieldsMatch, matchesSelector, podFieldsMatch } from "../core/selectors.ts";
import type { Pod, WorkloadObject } from "../core/model.ts";
import { applyWorkloadPatch, patchRefused } from "../in-memory/apply-patch.ts";
import type { JsonPatchOp } from "../core/remediation/json-patch.ts";
import type { PreflightFacts } from "../core/remediation/preflight.ts";
import type { WorkloadKind } from "../core/target.ts";
import { type Cluster, type Page, type PodQuery, PortError, type WorkloadRef } from "../ports.ts";
import type { Simulation } from "./simulation.ts";

/** Kubernetes users the playground's policy maps its Slack users to; they may patch Deployments. */
export const PLAYGROUND_PATCHERS = ["alice@example.com", "bob@example.com"];

/** The Cluster port on the simulation: only Deployments exist, in namespace `demo`. */
export class SimCluster implements Cluster {
  readonly #sim: Simulation;

  constructor(sim: Simulation) {
    this.#sim = sim;
  }

  #live(): { pod: Pod; node: string }[] {
    this.#sim.advance();
    return this.#sim
      .allPods()
      .filter(({ pod }) => pod.deletedAt === null)
      .map(({ pod, d }) => ({ pod: this.#sim.podView(pod, d), node: pod.node }));
  }

  async getPod(namespace: string, name: string) {
    return this.#live().find(({ pod }) => pod.namespace === namespace && pod.name === name)?.pod ?? null;
  }

  async getWorkload(namespace: string, kind: WorkloadKind | "replicaset", name: string) {
    if (namespace !== this.#sim.namespace) return null;
    this.#sim.advance();
    if (kind === "deployment") return structuredClone(this.#sim.find(name)?.object) ?? null;
    if (kind === "replicaset")
      return this.#sim.deployments.flatMap((d) => this.#sim.replicaSets(d)).find((rs) => rs.name === name) ?? null;
    return null;
  }

  async listReplicaSets(namespace: string, labelSelector: string) {
    if (namespace !== this.#sim.namespace) return [];
    return this.#sim.deployments
      .flatMap((d) => this.#sim.replicaSets(d))
      .filter((rs) => matchesSelector(rs.labels, labelSelector));
  }

  async listPods(namespace: string | null, q: PodQuery): Promise<Page<Pod>> {
    const all = this.#live()
      .map((x) => x.pod)
      .filter(
        (p) =>
          (namespace === null || p.namespace === namespace) &&
          matchesSelector(p.labels, q.labelSelector) &&
          podFieldsMatch(p, q.fieldSelector),
      );
    const start = q.continueToken ? Number(q.continueToken) : 0;
    return {
      items: all.slice(start, start + q.limit),
      continueToken: start + q.limit < all.length ? String(start + q.limit) : null,
    };
  }

  async listEvents(namespace: string | null, fieldSelector: string, limit: number) {
    return this.#sim.events
      .filter((e) => (namespace === null || e.namespace === namespace) && eventFieldsMatch(e, fieldSelector))
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }

  async getNode(name: string) {
    return this.#sim.nodes.find((n) => n.name === name) ?? null;
  }

  async readLog(namespace: string, pod: string, container: string, o: { previous: boolean; tailLines: number }) {
    const found = this.#sim.allPods().find((x) => x.pod.name === pod && x.pod.deletedAt === null);
    const c = found?.pod.containers.find((x) => x.name === container);
    if (!found || !c || namespace !== this.#sim.namespace)
      throw new PortError("kubernetes", "not-found", `pod ${pod} not found`);
    if (o.previous && c.restartCount === 0)
      throw new PortError(
        "kubernetes",
        "invalid",
        `the Kubernetes API refused to read the previous log of ${pod}/${container} (HTTP 400): no previous container`,
      );
    const at = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    const lines = o.previous ? found.d.scenario.logs.killed : found.d.scenario.logs.current;
    const end = o.previous ? (c.lastTerminated?.finishedAt ?? c.runStart) : this.#sim.now();
    return lines
      .map((l, i) => `${at(end - (lines.length - i) * 7)} ${l}`)
      .slice(-o.tailLines)
      .join("\n");
  }

  async currentUsage(namespace: string) {
    if (namespace !== this.#sim.namespace) return new Map<string, number>();
    this.#sim.advance();
    return new Map(
      this.#sim
        .allPods()
        .filter(({ pod }) => pod.deletedAt === null)
        .flatMap(({ pod }) =>
          pod.containers.map((c) => [`${pod.name}/${c.name}`, c.workingSet.at(-1)?.v ?? 0] as const),
        ),
    );
  }

  async countObjects(apiVersion: string, kind: string, namespace: string | null) {
    const n = kind === "Pod" ? this.#live().length : kind === "Deployment" ? this.#sim.deployments.length : 0;
    return { count: namespace === null || namespace === this.#sim.namespace ? n : 0, estimated: false };
  }

  async patchWorkload(ref: WorkloadRef, ops: readonly JsonPatchOp[], o: { dryRun: boolean }): Promise<WorkloadObject> {
    const d = ref.kind === "deployment" && ref.namespace === this.#sim.namespace ? this.#sim.find(ref.name) : undefined;
    if (!d)
      throw new PortError("kubernetes", "not-found", `${ref.kind} ${ref.name} not found in namespace ${ref.namespace}`);
    const patched = applyWorkloadPatch(d.object, ops);
    if (!patched.ok) throw patchRefused(`patch ${ref.kind} ${ref.name} in namespace ${ref.namespace}`, patched.error);
    const next = patched.value;
    if (!o.dryRun) {
      this.#sim.advance();
      this.#sim.apply(d, next);
    }
    return structuredClone(o.dryRun ? next : d.object);
  }

  async preflightFacts(_ref: WorkloadRef): Promise<PreflightFacts> {
    return {
      limitRangeMaxBytes: null,
      quota: [],
      largestNodeAllocatableBytes: Math.max(...this.#sim.nodes.map((n) => n.allocatableBytes ?? 0)),
      hpa: null,
    };
  }

  async patchHelmRelease(ref: { namespace: string; name: string }): Promise<number> {
    throw new PortError("kubernetes", "not-found", `HelmRelease ${ref.name} not found: the playground has no Flux`);
  }

  async autoscalerFor() {
    return null;
  }

  async patchAutoscaler(ref: { namespace: string; name: string }): Promise<number> {
    throw new PortError("kubernetes", "not-found", `HorizontalPodAutoscaler ${ref.name} not found`);
  }

  async mayDo(identity: { user: string; groups: readonly string[] }, action: { verb: string; resource: string }) {
    return ["patch", "get"].includes(action.verb) && PLAYGROUND_PATCHERS.includes(identity.user);
  }

  async version() {
    return "v1.35.4 (memops playground simulation)";
  }
}
