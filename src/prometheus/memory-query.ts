import type { MemoryRangeQuery } from "../ports.ts";

/** A PromQL double-quoted string literal. */
export const promString = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

const SERIES = [
  { name: "working_set", metric: "container_memory_working_set_bytes", filter: 'container!="",image!=""' },
  { name: "rss", metric: "container_memory_rss", filter: 'container!="",image!=""' },
  { name: "restarts", metric: "kube_pod_container_status_restarts_total", filter: 'container!=""' },
  { name: "limit", metric: "kube_pod_container_resource_limits", filter: 'container!="",resource="memory"' },
] as const;

export type SeriesName = (typeof SERIES)[number]["name"];

/**
 * One PromQL expression for all containers of a workload: per-step maxima of the working set and rss
 * (cAdvisor), the restart counter and the memory limit (kube-state-metrics), each tagged with a `metric` label.
 */
export function memoryQuery(q: MemoryRangeQuery): string {
  const selector = `namespace=${promString(q.namespace)}${q.podPattern ? `,pod=~${promString(q.podPattern)}` : ""}`;
  return SERIES.map(
    (s) =>
      `label_replace(max by (pod, container) (max_over_time(${s.metric}{${selector},${s.filter}}[${q.stepSeconds}s])), "metric", "${s.name}", "", "")`,
  ).join(" or ");
}
