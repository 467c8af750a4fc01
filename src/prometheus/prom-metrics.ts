import { PrometheusDriver } from "prometheus-query";
import type { Sample } from "../core/model.ts";
import type { ContainerMemory, MemoryMetrics, MemoryRangeQuery } from "../ports.ts";
import { promError } from "./errors.ts";
import { memoryQuery, type SeriesName } from "./memory-query.ts";

interface Labelled {
  metric: { labels: Record<string, string> };
}
interface RangeSeries extends Labelled {
  values: { time: Date; value: number }[];
}
interface InstantSample extends Labelled {
  value: { time: Date; value: number };
}

/** The MemoryMetrics port on Prometheus (cAdvisor and kube-state-metrics metric names). */
export class PromMetrics implements MemoryMetrics {
  readonly #driver: PrometheusDriver;

  constructor(url: string, timeoutMs: number) {
    const u = new URL(url);
    const base = u.pathname.replace(/\/$/, "");
    this.#driver = new PrometheusDriver({
      endpoint: u.origin,
      baseURL: `${base}/api/v1`,
      timeout: timeoutMs,
      preferPost: true,
    });
  }

  async containerMemory(q: MemoryRangeQuery): Promise<ContainerMemory[]> {
    let result;
    try {
      result = await this.#driver.rangeQuery(
        memoryQuery(q),
        new Date(q.start * 1000),
        new Date(q.end * 1000),
        q.stepSeconds,
      );
    } catch (e) {
      throw promError(e);
    }
    const byContainer = new Map<string, ContainerMemory>();
    for (const s of result.result as RangeSeries[]) {
      const { pod, container, metric } = s.metric.labels;
      if (!pod || !container || !metric) continue;
      const key = `${pod}/${container}`;
      let c = byContainer.get(key);
      if (!c) byContainer.set(key, (c = { pod, container, workingSet: [], rss: [], restarts: [], limit: [] }));
      const samples: Sample[] = s.values
        .map((v) => ({ t: v.time.getTime() / 1000, v: Number(v.value) }))
        .filter((x) => Number.isFinite(x.v));
      const field: Record<SeriesName, keyof Pick<ContainerMemory, "workingSet" | "rss" | "restarts" | "limit">> = {
        working_set: "workingSet",
        rss: "rss",
        restarts: "restarts",
        limit: "limit",
      };
      const f = field[metric as SeriesName];
      if (f) c[f] = samples;
    }
    return [...byContainer.values()];
  }

  async evaluate(query: string, at: number): Promise<{ labels: Record<string, string>; value: number }[]> {
    try {
      const r = await this.#driver.instantQuery(query, new Date(at * 1000));
      if (String(r.resultType) !== "vector") return [];
      return (r.result as InstantSample[]).map((s) => ({
        labels: { ...s.metric.labels },
        value: Number(s.value.value),
      }));
    } catch (e) {
      throw promError(e);
    }
  }
}
