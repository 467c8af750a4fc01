import type { Pod, WorkloadObject } from "../core/model.ts";
import { InMemoryCluster } from "../in-memory/in-memory-cluster.ts";
import type { PreflightFacts } from "../core/remediation/preflight.ts";
import { PortError, type WorkloadRef } from "../ports.ts";
import type { Simulation } from "./simulation.ts";

/** Kubernetes users the playground's policy maps its Slack users to; they may patch Deployments. */
export const PLAYGROUND_PATCHERS = ["alice@example.com", "bob@example.com"];

/** The Cluster port on the simulation: only Deployments exist, in namespace `demo`. */
export class SimCluster extends InMemoryCluster {
  readonly #sim: Simulation;

  constructor(sim: Simulation) {
    super();
    this.#sim = sim;
  }

  protected pods(): Pod[] {
    this.#sim.advance();
    return this.#sim
      .allPods()
      .filter(({ pod }) => pod.deletedAt === null)
      .map(({ pod, d }) => this.#sim.podView(pod, d));
  }

  protected workloads(): WorkloadObject[] {
    this.#sim.advance();
    return this.#sim.deployments.flatMap((d) => [d.object, ...this.#sim.replicaSets(d)]);
  }

  protected events() {
    return this.#sim.events;
  }

  protected nodes() {
    return this.#sim.nodes;
  }

  protected async commit(before: WorkloadObject, after: WorkloadObject) {
    const d = this.#sim.find(before.name);
    if (!d) throw new PortError("kubernetes", "not-found", `deployment ${before.name} not found`);
    this.#sim.advance();
    this.#sim.apply(d, after);
    return d.object;
  }

  /** The simulated services serve no debug endpoints. */
  async podProxyGet(_namespace: string, pod: string, port: number): Promise<Uint8Array> {
    await Promise.resolve();
    throw new PortError(
      "kubernetes",
      "unavailable",
      `nothing answered on port ${port} of ${pod} (the playground's services have no pprof endpoint)`,
    );
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
    const n = kind === "Pod" ? this.pods().length : kind === "Deployment" ? this.#sim.deployments.length : 0;
    return { count: namespace === null || namespace === this.#sim.namespace ? n : 0, estimated: false };
  }

  async preflightFacts(_ref: WorkloadRef): Promise<PreflightFacts> {
    return {
      limitRangeMaxBytes: null,
      quota: [],
      largestNodeAllocatableBytes: Math.max(...this.#sim.nodes.map((n) => n.allocatableBytes ?? 0)),
      hpa: null,
    };
  }

  async helmReleaseVersion(): Promise<string | null> {
    return null;
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
