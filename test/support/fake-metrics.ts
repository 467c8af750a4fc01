import type { Sample } from "../../src/core/model.ts";
import {
  type Candidate,
  candidatesOf,
  type PrefilterOptions,
  prefilterQuery,
} from "../../src/core/watch/prefilter-query.ts";
import { type ContainerMemory, type MemoryMetrics, type MemoryRangeQuery, PortError } from "../../src/ports.ts";

export interface FakeSeries {
  namespace: string;
  pod: string;
  container: string;
  workingSet: Sample[];
  rss?: Sample[];
  restarts?: Sample[];
  /** kube-state-metrics' limit series; absent: Prometheus has none */
  limit?: Sample[];
}

/** MemoryMetrics from fixed series; `down` makes it fail the way an unreachable Prometheus does. */
export class FakeMetrics implements MemoryMetrics {
  readonly queries: MemoryRangeQuery[] = [];
  down = false;
  readonly #series: FakeSeries[];

  constructor(series: FakeSeries[]) {
    this.#series = series;
  }

  async containerMemory(q: MemoryRangeQuery): Promise<ContainerMemory[]> {
    this.queries.push(q);
    if (this.down) throw new PortError("prometheus", "unavailable", "cannot reach Prometheus (ECONNREFUSED)");
    const pattern = q.podPattern ? new RegExp(`^(?:${q.podPattern})$`) : null;
    const inWindow = (s: Sample[] = []) => s.filter((x) => x.t >= q.start && x.t <= q.end);
    return this.#series
      .filter((s) => s.namespace === q.namespace && (!pattern || pattern.test(s.pod)))
      .map((s) => ({
        pod: s.pod,
        container: s.container,
        workingSet: inWindow(s.workingSet),
        rss: inWindow(s.rss),
        restarts: inWindow(s.restarts),
        limit: inWindow(s.limit),
      }));
  }

  /** what an instant query answers (a test sets it; none by default), and the queries asked */
  instant: (query: string) => { labels: Record<string, string>; value: number }[] = () => [];
  readonly instantQueries: string[] = [];

  /** what a range query answers (a test sets it; none by default), and the queries asked */
  ranged: (query: string) => { labels: Record<string, string>; points: Sample[] }[] = () => [];
  readonly rangeQueries: string[] = [];

  async range(
    query: string,
    r: { start: number; end: number; stepSeconds: number; maxSeries: number },
  ): Promise<{ labels: Record<string, string>; points: Sample[] }[]> {
    this.rangeQueries.push(query);
    if (this.down) throw new PortError("prometheus", "unavailable", "cannot reach Prometheus (ECONNREFUSED)");
    const out = this.ranged(query).map((s) => ({
      ...s,
      points: s.points.filter((p) => p.t >= r.start && p.t <= r.end),
    }));
    if (out.length > r.maxSeries)
      throw new PortError("prometheus", "invalid", `the query matches more than ${r.maxSeries} series`);
    return out;
  }

  /** as Prometheus would answer the prefilter: whatever `instant` answers for its query */
  async fleetCandidates(o: PrefilterOptions): Promise<Candidate[]> {
    return candidatesOf(await this.evaluate(prefilterQuery(o)));
  }

  async evaluate(query: string): Promise<{ labels: Record<string, string>; value: number }[]> {
    this.instantQueries.push(query);
    if (this.down) throw new PortError("prometheus", "unavailable", "cannot reach Prometheus (ECONNREFUSED)");
    return this.instant(query);
  }
}
