import type { Sample } from "./model.ts";

/** Maxima per fixed step, aligned to the step; empty steps are left out. One pass when the input is in time order. */
export function resampleMax(series: readonly Sample[], stepSeconds: number): Sample[] {
  if (onGrid(series, stepSeconds)) return series as Sample[];
  const out: Sample[] = [];
  let sorted = true;
  for (const { t, v } of series) {
    const b = Math.floor(t / stepSeconds) * stepSeconds;
    const last = out[out.length - 1];
    if (last && last.t === b) {
      if (v > last.v) last.v = v;
    } else if (!last || b > last.t) out.push({ t: b, v });
    else {
      sorted = false;
      break;
    }
  }
  if (sorted) return out;
  return resampleMax(
    [...series].sort((a, b) => a.t - b.t),
    stepSeconds,
  );
}

/** Already at most one sample per step, in order: nothing to resample. */
function onGrid(series: readonly Sample[], step: number): boolean {
  let prev = -Infinity;
  for (let i = 0; i < series.length; i++) {
    const t = series[i]!.t;
    if (t < prev + step) return false;
    prev = t;
  }
  return true;
}

/** At most `maxPoints` maxima of consecutive equal-count blocks (each at its block's first time). */
export function blockMax(series: readonly Sample[], maxPoints: number): Sample[] {
  if (series.length <= maxPoints) return [...series];
  const size = Math.ceil(series.length / maxPoints);
  const out: Sample[] = [];
  for (let i = 0; i < series.length; i += size) {
    let v = -Infinity;
    const end = Math.min(series.length, i + size);
    for (let j = i; j < end; j++) {
      const x = series[j]!.v;
      if (x > v) v = x;
    }
    out.push({ t: series[i]!.t, v });
  }
  return out;
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
    const cur = restarts[i],
      prev = restarts[i - 1];
    if (cur && prev && cur.v > prev.v) restartTimes.add(cur.t);
  }
  const sortedRestarts = [...restartTimes].sort((a, b) => a - b);
  const cuts: number[] = [];
  let r = 0;
  for (let i = 1; i < series.length; i++) {
    const s = series[i]!,
      prev = series[i - 1]!;
    let cut = useDrops && s.v < prev.v * 0.5;
    while (r < sortedRestarts.length && sortedRestarts[r]! <= s.t) {
      if (sortedRestarts[r]! > prev.t) cut = true;
      r++;
    }
    if (cut) cuts.push(i);
  }
  if (cuts.length === 0) return series.length > 0 ? [series as Sample[]] : [];
  return [0, ...cuts].map((from, k) => series.slice(from, cuts[k] ?? series.length));
}
