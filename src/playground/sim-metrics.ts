import type { Sample } from "../core/model.ts";
import { nsMatches } from "../core/namespace-pattern.ts";
import { ols } from "../core/stats.ts";
import { type Candidate, HIGH_SHARE, type PrefilterOptions } from "../core/watch/prefilter-query.ts";
import { type ContainerMemory, type MemoryMetrics, type MemoryRangeQuery, PortError } from "../ports.ts";
import type { Simulation } from "./simulation.ts";

/**
 * The MemoryMetrics port on the simulation, answering range queries the way memops's PromQL does:
 * per step, the maximum of the samples in the step before it (max_over_time), for every pod whose name
 * matches, including pods deleted during the window.
 */
export class SimMetrics implements MemoryMetrics {
  readonly #sim: Simulation;

  constructor(sim: Simulation) {
    this.#sim = sim;
  }

  async containerMemory(q: MemoryRangeQuery): Promise<ContainerMemory[]> {
    this.#sim.advance();
    if (q.namespace !== this.#sim.namespace) return [];
    const pattern = q.podPattern ? new RegExp(`^(?:${q.podPattern})$`) : null;
    return this.#sim
      .allPods()
      .filter(({ pod }) => !pattern || pattern.test(pod.name))
      .flatMap(({ pod }) =>
        pod.containers.map((c) => {
          const workingSet = stepMax(c.workingSet, q);
          return {
            pod: pod.name,
            container: c.name,
            workingSet,
            rss: workingSet.map((s) => ({ t: s.t, v: s.v * 0.85 })),
            restarts: stepMax(c.restarts, q),
            // kube-state-metrics: the pod's limit for as long as it reports memory
            limit: c.limitBytes === null ? [] : workingSet.map((s) => ({ t: s.t, v: c.limitBytes ?? 0 })),
          };
        }),
      )
      .filter((c) => c.workingSet.length > 0);
  }

  /**
   * The prefilter computed on the simulation itself, as the PromQL of `prefilterQuery` asks Prometheus:
   * at 90% of the limit now, or the last hour's least-squares line reaching the limit within the horizon
   * above the usage floor, or a restart within the hour.
   */
  async fleetCandidates(o: PrefilterOptions, at: number): Promise<Candidate[]> {
    this.#sim.advance();
    const ns = this.#sim.namespace;
    if (!o.namespaces.some((p) => nsMatches(p, ns))) return [];
    const out: Candidate[] = [];
    for (const { pod } of this.#sim.allPods())
      for (const c of pod.containers) {
        const hour = c.workingSet.filter((s) => s.t > at - 3600 && s.t <= at);
        const last = hour[hour.length - 1];
        if (!last || !c.limitBytes || at - last.t > 300) continue;
        const share = last.v / c.limitBytes;
        // predict_linear's least-squares line, bytes per second
        const slope = ols(
          hour.map((x) => x.t),
          hour.map((x) => x.v),
        ).slope;
        const predicted = (last.v + slope * o.horizonSeconds) / c.limitBytes;
        const restarts = c.restarts.filter((s) => s.t > at - 3600 && s.t <= at);
        const restarted = restarts.length > 1 && restarts[restarts.length - 1]!.v > restarts[0]!.v;
        if (share >= HIGH_SHARE || (predicted >= 1 && share >= o.minShare) || restarted)
          out.push({ namespace: ns, pod: pod.name, container: c.name });
      }
    return out;
  }

  async range(): Promise<{ labels: Record<string, string>; points: Sample[] }[]> {
    return this.evaluate().then(() => []);
  }

  async evaluate(): Promise<{ labels: Record<string, string>; value: number }[]> {
    throw new PortError(
      "prometheus",
      "unavailable",
      "the playground's simulated Prometheus answers memory range queries only (start it with --prometheus for PromQL steps)",
    );
  }
}

/** max_over_time over each step ending at start + k·step, for samples in time order. */
function stepMax(samples: readonly Sample[], q: MemoryRangeQuery): Sample[] {
  const out: Sample[] = [];
  let i = 0;
  for (let t = q.start; t <= q.end; t += q.stepSeconds) {
    while (i < samples.length && samples[i]!.t <= t - q.stepSeconds) i++;
    let v = -Infinity;
    for (let j = i; j < samples.length && samples[j]!.t <= t; j++) v = Math.max(v, samples[j]!.v);
    if (v > -Infinity) out.push({ t, v });
  }
  return out;
}
