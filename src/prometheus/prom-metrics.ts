/**
 * The MemoryMetrics port on Prometheus's HTTP API (cAdvisor and kube-state-metrics metric names), with
 * memops's fetch over node:http (http-fetch.ts). Samples are parsed straight into `{t, v}`: one object per sample, where a client
 * library made three (a Date, a wrapper, then ours) — it matters for a 1,200-pod namespace.
 */
import type { Sample } from "../core/model.ts";
import { httpFetch } from "../http-fetch.ts";
import { type ContainerMemory, type MemoryMetrics, type MemoryRangeQuery, PortError } from "../ports.ts";
import { PromHttpError, promError } from "./errors.ts";
import { memoryQuery, type SeriesName } from "./memory-query.ts";
import { type Candidate, candidatesOf, type PrefilterOptions, prefilterQuery } from "../core/watch/prefilter-query.ts";

interface Answer<R> {
  status: "success" | "error";
  data?: { resultType: string; result: R };
  errorType?: string;
  error?: string;
}
type RangeSeries = { metric: Record<string, string>; values: [number, string][] };
type InstantSample = { metric: Record<string, string>; value: [number, string] };

const FIELD: Record<SeriesName, keyof Pick<ContainerMemory, "workingSet" | "rss" | "restarts" | "limit">> = {
  working_set: "workingSet",
  rss: "rss",
  restarts: "restarts",
  limit: "limit",
};

export class PromMetrics implements MemoryMetrics {
  readonly #api: string;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    this.#api = `${url.replace(/\/+$/, "")}/api/v1`;
    this.#timeoutMs = timeoutMs;
  }

  /** POSTs a query (form-encoded, as Prometheus takes long queries); a failure is a PortError. */
  async #ask<R>(endpoint: string, form: Record<string, string>): Promise<{ resultType: string; result: R }> {
    try {
      const res = await httpFetch(`${this.#api}/${endpoint}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const body = (await res.json().catch(() => ({}))) as Answer<R>;
      if (!res.ok || body.status !== "success" || !body.data)
        throw new PromHttpError(res.status, body.errorType, body.error);
      return body.data;
    } catch (e) {
      throw promError(e);
    }
  }

  async containerMemory(q: MemoryRangeQuery): Promise<ContainerMemory[]> {
    const data = await this.#ask<RangeSeries[]>("query_range", {
      query: memoryQuery(q),
      start: String(q.start),
      end: String(q.end),
      step: String(q.stepSeconds),
    });
    const byContainer = new Map<string, ContainerMemory>();
    for (const s of data.result) {
      const { pod, container, metric } = s.metric;
      const field = metric ? FIELD[metric as SeriesName] : undefined;
      if (!pod || !container || !field) continue;
      const key = `${pod}/${container}`;
      let c = byContainer.get(key);
      if (!c) byContainer.set(key, (c = { pod, container, workingSet: [], rss: [], restarts: [], limit: [] }));
      const samples: Sample[] = [];
      for (const [t, v] of s.values) {
        const n = Number(v);
        if (Number.isFinite(n)) samples.push({ t, v: n });
      }
      c[field] = samples;
    }
    return [...byContainer.values()];
  }

  async range(
    query: string,
    r: { start: number; end: number; stepSeconds: number; maxSeries: number },
  ): Promise<{ labels: Record<string, string>; points: Sample[] }[]> {
    // counted first, so an answer too big is refused before it is read (series that ended earlier in
    // the window are not in the count: the check after the range query catches those)
    const [counted] = await this.evaluate(`count(${query})`, r.end);
    if ((counted?.value ?? 0) > r.maxSeries)
      throw new PortError("prometheus", "invalid", `the query matches more than ${r.maxSeries} series`);
    const data = await this.#ask<RangeSeries[]>("query_range", {
      query,
      start: String(r.start),
      end: String(r.end),
      step: String(r.stepSeconds),
    });
    if (data.result.length > r.maxSeries)
      throw new PortError("prometheus", "invalid", `the query matches more than ${r.maxSeries} series`);
    return data.result.map((s) => ({
      labels: { ...s.metric },
      points: s.values.flatMap(([t, v]) => (Number.isFinite(Number(v)) ? [{ t, v: Number(v) }] : [])),
    }));
  }

  async fleetCandidates(o: PrefilterOptions, at: number): Promise<Candidate[]> {
    return candidatesOf(await this.evaluate(prefilterQuery(o), at));
  }

  async evaluate(query: string, at: number): Promise<{ labels: Record<string, string>; value: number }[]> {
    const data = await this.#ask<InstantSample[]>("query", { query, time: String(at) });
    if (data.resultType !== "vector") return [];
    return data.result.map((s) => ({ labels: { ...s.metric }, value: Number(s.value[1]) }));
  }
}
