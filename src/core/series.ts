import type { Sample } from "./model.ts";

/** Maxima per fixed step, aligned to the step; empty steps are left out. */
export function resampleMax(series: readonly Sample[], stepSeconds: number): Sample[] {
  const buckets = new Map<number, number>();
  for (const { t, v } of series) {
    const b = Math.floor(t / stepSeconds) * stepSeconds;
    const prev = buckets.get(b);
    if (prev === undefined || v > prev) buckets.set(b, v);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }));
}

/** Maxima of `count` equal slices of [start, end]; null where a slice has no sample. */
export function sliceMax(series: readonly Sample[], start: number, end: number, count: number): (number | null)[] {
  const out: (number | null)[] = new Array<number | null>(count).fill(null);
  const width = (end - start) / count;
  if (width <= 0) return out;
  for (const { t, v } of series) {
    if (t < start || t > end) continue;
    const i = Math.min(count - 1, Math.floor((t - start) / width));
    const prev = out[i];
    if (prev === null || prev === undefined || v > prev) out[i] = v;
  }
  return out;
}

/**
 * Splits a series at restarts: where the restart counter rose when there is one, else where the value
 * dropped by more than half (without a counter, that is the best sign of a restart; with one, a large
 * drop is memory being freed after a spike, not a restart).
 */
export function segmentAtRestarts(series: readonly Sample[], restarts: readonly Sample[] = []): Sample[][] {
  const useDrops = restarts.length === 0;
  const restartTimes = new Set<number>();
  for (let i = 1; i < restarts.length; i++) {
    const cur = restarts[i], prev = restarts[i - 1];
    if (cur && prev && cur.v > prev.v) restartTimes.add(cur.t);
  }
  const sortedRestarts = [...restartTimes].sort((a, b) => a - b);
  const segments: Sample[][] = [];
  let current: Sample[] = [];
  let r = 0;
  for (const s of series) {
    const prev = current[current.length - 1];
    let cut = useDrops && prev !== undefined && s.v < prev.v * 0.5;
    while (r < sortedRestarts.length && (sortedRestarts[r] ?? Infinity) <= s.t) {
      if (prev !== undefined && (sortedRestarts[r] ?? 0) > prev.t) cut = true;
      r++;
    }
    if (cut && current.length > 0) {
      segments.push(current);
      current = [];
    }
    current.push(s);
  }
  if (current.length > 0) segments.push(current);
  return segments;
}
