import type { TrendAnalysis } from "./classify.ts";
import { formatDuration } from "./duration.ts";
import type { Sample } from "./model.ts";
import { formatBytes, MiB, roundUpReadable } from "./quantity.ts";
import { median, quantile, weightedQuantile } from "./stats.ts";

const HOUR = 3600;
const duration = (s: readonly Sample[]) => (s[s.length - 1]?.t ?? 0) - (s[0]?.t ?? 0);
const DAY = 24 * HOUR;
/** Never recommend less than this: a runtime needs some memory to start at all. */
const MIN_BYTES = 32 * MiB;
/** Headroom is never less than this: one allocation burst (a buffer, a thread stack, a GC cycle) is MiBs, not a share. */
const MIN_HEADROOM = 32 * MiB;
/**
 * Lowered on less than two days of samples, a limit stays at least this far above the peak: the spread
 * from one day's peak to the next is not known yet, and on the real Bitbrains traces the next day's peak
 * is above 1.27× the day's on one day in ten (above 1.05× on one in three, which is all the
 * 5% floor of the headroom would allow).
 */
const UNKNOWN_SPREAD = 1.25;

export interface SizingInput {
  analysis: TrendAnalysis;
  limitBytes: number | null;
  requestBytes: number | null;
  /** rss samples, if known: the request is never below their p95 */
  rss?: readonly Sample[];
  /** an OOM kill happened in the window */
  oomKilled: boolean;
  now: number;
  /** the policy's bound: never raise a limit by more than this factor at once */
  maxFactor: number;
  /**
   * when the current limit took effect, if the limit's history is known: only OOM kills since then were
   * under it (a kill under an older, lower limit says nothing about this one)
   */
  limitSince?: number;
  /** the policy's ceiling for the namespace: never propose above it (null or absent: none) */
  ceilingBytes?: number | null;
}

export interface Recommendation {
  /** null when there is nothing to size from */
  limitBytes: number | null;
  requestBytes: number | null;
  reason: string;
  /**
   * "capped": held at the policy's ceiling, below what the sizing wants; "reached": the limit is already
   * at the ceiling and the sizing wants more, so no raise is proposed (the ceiling is the problem)
   */
  ceiling?: "capped" | "reached";
}

interface Peaks {
  values: number[];
  weights: number[];
  interval: number;
}

/**
 * Per-interval peaks with exponentially decaying weights: a day (or, for shorter windows, an eighth of
 * the window) per interval, half-life two intervals. Recent behaviour counts most, as with VPA.
 */
function decayedPeaks(series: readonly Sample[], now: number): Peaks {
  const first = series[0]?.t ?? now;
  const span = Math.max(HOUR, now - first);
  const interval = span >= 2 * DAY ? DAY : Math.max(HOUR, span / 8);
  const halfLife = 2 * interval;
  // the series is in time order, so intervals arrive one after the other (oldest first)
  const values: number[] = [],
    weights: number[] = [];
  let k = NaN;
  for (const s of series) {
    const at = Math.floor((now - s.t) / interval);
    if (at !== k) {
      k = at;
      values.push(s.v);
      weights.push(0.5 ** ((k * interval) / halfLife));
    } else if (s.v > values[values.length - 1]!) values[values.length - 1] = s.v;
  }
  // The oldest interval is cut by the window's start: a sliver of it (a run's first minutes after a
  // restart) is no peak, and its drop to the next would count as spread.
  const oldest = now - first - Math.floor((now - first) / interval) * interval;
  if (values.length > 1 && oldest < interval / 2) {
    values.shift();
    weights.shift();
  }
  return { values, weights, interval };
}

/**
 * Headroom from how much the peak moves from one interval to the next: 2σ, with σ from the median
 * absolute change between consecutive peaks (so a deploy's one step or a weekly dip does not count as
 * spread), at least 5% of the level.
 */
function headroom(peaks: Peaks, level: number): number {
  const changes = peaks.values.slice(1).map((v, i) => Math.abs(v - (peaks.values[i] ?? v)));
  const sigma = changes.length >= 2 ? (1.4826 * median(changes)) / Math.SQRT2 : 0;
  return Math.max(0.05 * level, MIN_HEADROOM, 2 * sigma);
}

/**
 * The limit and request to set (../shared/reference/memory-analysis.md): decay-weighted interval peaks
 * plus headroom from their spread; leak growth removed (a leak gets "fix it or schedule restarts", not
 * an endless limit); after an OOM kill never below max(old × 1.2, old + 100Mi), because usage above the
 * old limit was never observed; rounded up to a readable step; at most the policy's factor at once.
 */
export function recommend(input: SizingInput): Recommendation {
  const a = input.analysis;
  const series = a.resampled;
  if (series.length === 0)
    return { limitBytes: input.limitBytes, requestBytes: input.requestBytes, reason: "no samples to size from" };
  const old = input.limitBytes;
  const leak = a.classification === "leak";
  // After a restart that began a run of a day or more (a deploy), the new version's peaks are what matter.
  const current = a.segments > 1 ? series.slice(series.length - a.currentRunPoints) : series;
  const sizingFrom = a.segments > 1 && duration(current) >= DAY ? current : series;
  // A leak's peaks are real needs up to each restart; its growth is not extrapolated (no drift term).
  const peaks = decayedPeaks(sizingFrom, input.now);
  // With a week of daily peaks, the week's highest is covered: a weekly batch comes back next week even
  // though its peak has decayed to a small weight (backtest: 27 → 21 OOM-days on the generated families).
  const week = peaks.interval >= DAY && peaks.values.length >= 7 ? Math.max(...peaks.values.slice(-7)) : 0;
  const level = Math.max(weightedQuantile(peaks.values, peaks.weights, 0.95), week);
  // Slow growth that is not a leak still moves tomorrow's peak: include one interval of it.
  const drift =
    !leak && a.timeToLimitSeconds !== null && a.classification === "stable"
      ? Math.max(0, a.slopeBytesPerHour) * (peaks.interval / HOUR)
      : 0;
  let limit = Math.max(MIN_BYTES, level + headroom(peaks, level) + drift);
  const why: string[] = [
    `decay-weighted ${peaks.interval >= DAY ? "daily" : formatDuration(peaks.interval)} peaks reach ${formatBytes(level)}; headroom from their spread`,
  ];

  const since = input.limitSince;
  const killed =
    since === undefined
      ? input.oomKilled || a.oomKills > 0 || a.classification === "oom-cycle"
      : input.oomKilled || a.oomKillTimes.some((t) => t >= since);
  // After an OOM kill usage above the old limit was never seen: no recommendation goes below this.
  const floor = old !== null && killed ? Math.max(old * 1.2, old + 100 * MiB) : 0;
  if (old !== null && killed) {
    // The peaks were cut off at the old limit: their spread says nothing about the real need.
    limit = Math.max(MIN_BYTES, level * 1.05 + drift);
    if (limit < floor)
      why.push(
        `OOM-killed, so at least max(old × 1.2, old + 100Mi) = ${formatBytes(floor)}: usage above the old limit was never seen`,
      );
    limit = Math.max(limit, floor);
  }
  if (leak && old !== null) {
    const untilRestart = leakUntilRestart(a);
    if (untilRestart !== null) {
      // Restarts (deploys) have been ending the growth: hold the longest run seen, no further.
      // (the peaks' spread is the sawtooth of the leak itself, not noise: only the 5% / 32Mi floor on top)
      const reach = Math.max(untilRestart.bytes, level);
      limit = Math.max(floor, reach + Math.max(0.05 * reach, MIN_HEADROOM));
      why.splice(
        0,
        why.length,
        `leak of ${formatBytes(a.slopeBytesPerHour)}/h: fix it; until then this holds a run of ${formatDuration(untilRestart.seconds)} (restarts have come sooner), which reaches ${formatBytes(untilRestart.bytes)} — restart at least that often`,
      );
      if (limit === floor) why.push(`OOM-killed, so at least max(old × 1.2, old + 100Mi) = ${formatBytes(floor)}`);
    } else {
      const restartEvery =
        a.slopeBytesPerHour > 0 ? ((0.8 * old - Math.min(...peaks.values)) / a.slopeBytesPerHour) * HOUR : null;
      const fix = `leak of ${formatBytes(a.slopeBytesPerHour)}/h: fix it, or schedule restarts${restartEvery && restartEvery > 0 ? ` every ${formatDuration(restartEvery)}` : ""}; a higher limit only delays the OOM kill`;
      if (limit <= old) return { limitBytes: old, requestBytes: request(input, old), reason: `keep the limit: ${fix}` };
      why.unshift(fix);
      why.push("sized on the peaks seen before restarts, without extrapolating the leak");
    }
  }
  // how long what runs under the current limit has been seen (the samples, or since the limit was set)
  const underIt = since === undefined ? duration(series) : input.now - Math.max(since, series[0]?.t ?? since);
  const seen = Math.min(duration(series), underIt);
  if (old !== null && limit < old && seen < 2 * DAY - HOUR && limit < level * UNKNOWN_SPREAD) {
    limit = Math.min(old, level * UNKNOWN_SPREAD);
    why.push(
      `${underIt < duration(series) ? "the limit was set under two days ago" : "under two days of samples"}, so not lowered below ${Math.round((UNKNOWN_SPREAD - 1) * 100)}% above the peak: how much one day's peak differs from the next is not known yet`,
    );
  }
  limit = roundUpReadable(limit);
  // Less than a day of samples (23 h: a day of 5-minute samples spans 23 h 55 m) has not seen a whole
  // daily cycle: raise if needed, never lower. (Replayed on
  // the 24 real Bitbrains VMs, sizing down from a first afternoon caused 20 of memops's 49 OOM-days.)
  // The same for a limit set less than a day ago: what runs under it has not had a whole day either.
  if (old !== null && limit < old && seen < DAY - HOUR)
    return {
      limitBytes: old,
      requestBytes: request(input, old),
      reason:
        underIt < duration(series)
          ? `keep the limit: it was set ${formatDuration(underIt)} ago, too little to lower it on (${why[0] ?? ""})`
          : `keep the limit: ${formatDuration(duration(series))} of samples is less than a day, too little to lower it on (${why[0] ?? ""})`,
    };
  if (old !== null && limit > old * input.maxFactor) {
    limit = Math.floor(old * input.maxFactor);
    why.push(`capped at ×${input.maxFactor} of the current limit by policy; raise again after verifying`);
  }
  const ceiling = input.ceilingBytes ?? null;
  if (ceiling !== null && limit > ceiling) {
    // Proposing the ceiling again after a kill at the ceiling is the loop of kubernetes/autoscaler#9521:
    // the same limit, the same OOM kill. Say what the problem is instead.
    const wants = `the sizing says ${formatBytes(limit)}`;
    if (old !== null && old >= ceiling)
      return {
        limitBytes: old,
        requestBytes: request(input, old),
        ceiling: "reached",
        reason: `${killed ? "OOM-killed at" : "needs more than"} the policy's ceiling of ${formatBytes(ceiling)} (${wants}): the ceiling is the problem, not the limit; the same limit again ends in the same OOM kill`,
      };
    limit = ceiling;
    why.push(
      `held at the policy's ceiling of ${formatBytes(ceiling)} (${wants}): if it is killed there, the ceiling is the problem`,
    );
    return { limitBytes: limit, requestBytes: request(input, limit), reason: why.join("; "), ceiling: "capped" };
  }
  return { limitBytes: limit, requestBytes: request(input, limit), reason: why.join("; ") };
}

/**
 * Where a leak gets to by the time a restart has come in the past: the current run's start level plus
 * the growth over the longest run observed (or the current run's age and a day more, if it is older).
 * Null without a completed run: nothing says when the growth ends.
 */
function leakUntilRestart(a: TrendAnalysis): { bytes: number; seconds: number } | null {
  if (a.runLengths.length === 0 || a.currentRunPoints < 2) return null;
  const run = a.resampled.slice(a.resampled.length - a.currentRunPoints);
  const age = duration(run);
  const seconds = Math.max(...a.runLengths, age + DAY);
  const startLevel = quantile(
    run.slice(0, Math.max(2, Math.ceil(run.length / 10))).map((s) => s.v),
    0.9,
  );
  return { bytes: startLevel + Math.max(0, a.slopeBytesPerHour) * (seconds / HOUR), seconds };
}

/** Request: p95 of the 5-minute maxima, never below rss p95, rounded, never above the limit. */
function request(input: SizingInput, limit: number): number {
  const p95 = quantile(
    input.analysis.resampled.map((s) => s.v),
    0.95,
  );
  const rss = input.rss?.length
    ? quantile(
        input.rss.map((s) => s.v),
        0.95,
      )
    : 0;
  return Math.min(limit, roundUpReadable(Math.max(MIN_BYTES / 2, p95, rss)));
}
