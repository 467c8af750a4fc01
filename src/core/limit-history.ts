/**
 * A container's memory limit over time, so a diagnosis judges each moment by the limit in effect then:
 * an OOM cycle fixed by a raise stays an OOM cycle before the raise. Built from kube-state-metrics'
 * per-pod limit series when Prometheus has them, else from the changes memops executed itself.
 */
import type { Sample } from "./model.ts";

/** The limit in effect from `from` on (until the next step); null: no limit. */
export interface LimitStep {
  from: number;
  bytes: number | null;
}

/** A change to one of a workload's containers, as memops recorded it. */
export type ContainerLimitChange = LimitChange & { container: string };

/** One change of a container's limit. */
export interface LimitChange {
  at: number;
  from: number | null;
  to: number | null;
  /** who approved it, when memops made it (a Slack user id) */
  by?: string | null;
}

/** The limit at time `t`: the last step at or before it, else the first one (the window's start). */
export function limitAt(history: readonly LimitStep[], t: number): number | null {
  let value = history[0]?.bytes ?? null;
  for (const s of history) {
    if (s.from > t) break;
    value = s.bytes;
  }
  return value;
}

/** Steps where the value changes only, in time order. */
function compress(points: readonly LimitStep[]): LimitStep[] {
  const out: LimitStep[] = [];
  for (const p of [...points].sort((a, b) => a.from - b.from))
    if (out.length === 0 || out[out.length - 1]?.bytes !== p.bytes) out.push(p);
  return out;
}

/**
 * A workload container's history from its pods' limit series (kube-state-metrics, one per pod): a pod's
 * value takes effect when the pod first reports it, so the new limit starts with the first new pod of a
 * rollout, and an in-place resize when it is reported.
 */
export function historyFromSeries(pods: readonly (readonly Sample[])[]): LimitStep[] {
  return compress(pods.flatMap((series) => compress(series.map((s) => ({ from: s.t, bytes: s.v })))));
}

/** The same, reconstructed backwards from the current limit and the changes made since `start`. */
export function historyFromChanges(
  current: number | null,
  changes: readonly LimitChange[],
  start: number,
): LimitStep[] {
  const sorted = changes.filter((c) => c.at > start).sort((a, b) => a.at - b.at);
  const first = sorted[0];
  const steps: LimitStep[] = [{ from: start, bytes: first ? first.from : current }];
  for (const c of sorted) steps.push({ from: c.at, bytes: c.to });
  return compress(steps);
}

/** The changes a history holds, in time order. */
export function changesOf(history: readonly LimitStep[]): LimitChange[] {
  return history.slice(1).map((s, i) => ({ at: s.from, from: history[i]?.bytes ?? null, to: s.bytes }));
}

/** Whether the limit was raised after `t` and is higher now than it was then. */
export function raisedAfter(history: readonly LimitStep[], t: number): LimitChange | null {
  const then = limitAt(history, t);
  const now = history[history.length - 1]?.bytes ?? null;
  const higher = then !== null && (now === null || now > then);
  if (!higher) return null;
  const change = history.findLast((s) => s.from > t);
  return change ? { at: change.from, from: then, to: now } : null;
}
