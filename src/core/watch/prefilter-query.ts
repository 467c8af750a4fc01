/**
 * The watch's prefilter: one instant PromQL query over the whole fleet, evaluated by Prometheus, that
 * names the containers worth memops's full analysis — those at or above 90% of their limit now,
 * those whose last hour's linear trend reaches the limit within the horizon while already above the
 * usage floor, and those OOM-killed in the last hour. A few thousand quiet containers cost Prometheus one query, not memops one each.
 */
import { nsRegex } from "../namespace-pattern.ts";

/** At or above this share of the limit a container is a candidate whatever its trend. */
export const HIGH_SHARE = 0.9;
/** The trend arm's lookback: long enough to smooth a GC cycle, short enough to see a ramp. */
export const TREND_LOOKBACK = "1h";

export interface PrefilterOptions {
  namespaces: readonly string[];
  horizonSeconds: number;
  minShare: number;
}

/** A candidate as the query answers it. */
export interface Candidate {
  namespace: string;
  pod: string;
  container: string;
}

const BY = "namespace, pod, container";

export function prefilterQuery(o: PrefilterOptions): string {
  const ns = JSON.stringify(nsRegex(o.namespaces));
  const ws = `container_memory_working_set_bytes{container!="",container!="POD",image!="",namespace=~${ns}}`;
  const limit = `max by (${BY}) (kube_pod_container_resource_limits{resource="memory",namespace=~${ns}} > 0)`;
  const share = `(max by (${BY}) (${ws}) / on (${BY}) ${limit})`;
  const predicted = `(max by (${BY}) (predict_linear(${ws}[${TREND_LOOKBACK}], ${Math.round(o.horizonSeconds)})) / on (${BY}) ${limit})`;
  // OOM-killed within the lookback: a cycle under way is an incident to open, whatever the trend says now
  const restarts = `max by (${BY}) (increase(kube_pod_container_status_restarts_total{namespace=~${ns}}[${TREND_LOOKBACK}]))`;
  const oomKilled = `max by (${BY}) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled",namespace=~${ns}})`;
  return `(${share} >= ${HIGH_SHARE}) or ((${predicted} >= 1) and on (${BY}) (${share} >= ${o.minShare})) or ((${restarts} > 0) and on (${BY}) ${oomKilled})`;
}

/** The candidates in an answer, each container once. */
export function candidatesOf(answer: readonly { labels: Record<string, string> }[]): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const { labels } of answer) {
    const { namespace, pod, container } = labels;
    if (namespace && pod && container) seen.set(`${namespace}/${pod}/${container}`, { namespace, pod, container });
  }
  return [...seen.values()];
}
