import { removeDailyCycle } from "./daily-cycle.ts";
import { formatDuration, formatInstant } from "./duration.ts";
import { cycleForecast, type Forecast, type TrendLine, trendForecast } from "./forecast.ts";
import { type LimitChange, limitAt, type LimitStep, raisedAfter } from "./limit-history.ts";
import type { Sample } from "./model.ts";
import { formatBytes } from "./quantity.ts";
import { blockMax, resampleMax, segmentAtRestarts } from "./series.ts";
import { mad, mannKendallHamedRao, median, ols, quantile, theilSen } from "./stats.ts";

export type MemoryClass = "leak" | "oom-cycle" | "spike" | "limit-too-low" | "stable";
export const MEMORY_CLASSES: readonly MemoryClass[] = ["leak", "oom-cycle", "spike", "limit-too-low", "stable"];

/** The class as a person reads it: a plateau is said not to be a leak, a spike says whether it recovered. */
export function classLabel(a: { classification: MemoryClass; plateau: boolean; recovered: boolean | null }): string {
  if (a.plateau) return "stable (warm-up then plateau, not a leak)";
  return a.classification === "spike" ? `spike (${a.recovered ? "recovered" : "not recovered"})` : a.classification;
}

export interface TrendInput {
  /** working-set samples, Unix seconds */
  series: readonly Sample[];
  /** the limit now */
  limitBytes: number | null;
  /** the limit over the window, when known: each moment is judged by the limit in effect then */
  limits?: readonly LimitStep[];
  /** rss samples, if known: forecast on them too when file cache is a large share of the working set */
  rss?: readonly Sample[];
  /** restart counter samples, if known */
  restarts?: readonly Sample[];
  /** when OOM kills happened, if known */
  oomAt?: readonly number[];
  /** OOM kills known (from the pod status) to have happened in the window, when their times are not */
  oomKills?: number;
  now: number;
}

export interface RssForecast {
  /** median share of the working set that is not rss (file cache, tmpfs, kernel) */
  cacheShare: number;
  slopeBytesPerHour: number;
  timeToLimitSeconds: number | null;
  timeToLimitRange: [number, number | null] | null;
}

export interface TrendAnalysis {
  classification: MemoryClass;
  /** warm-up followed by a plateau: explicitly not a leak */
  plateau: boolean;
  /** for spikes: whether memory came back down */
  recovered: boolean | null;
  /** 0–1 */
  confidence: number;
  /** why, in words a person can check against the chart */
  evidence: string;
  slopeBytesPerHour: number;
  /** the slope's 95% confidence interval (Theil–Sen / Sen), bytes per hour */
  slopeRange: [number, number];
  /** Mann–Kendall p-value with the Hamed–Rao correction, on the longest run between restarts */
  pValue: number;
  r2: number;
  currentBytes: number;
  peakBytes: number;
  timeToLimitSeconds: number | null;
  /** [soonest, latest]; latest null when the slope's interval reaches zero */
  timeToLimitRange: [number, number | null] | null;
  /** the same forecast on rss, when file cache is a large share of the working set */
  rss: RssForecast | null;
  /** runs between restarts in the window, and how many ended in an OOM kill */
  segments: number;
  /** how many of the last `resampled` points belong to the current run */
  currentRunPoints: number;
  oomKills: number;
  /** for an OOM cycle: the limit raise after its last kill (the cycle ran at the old limit; none since) */
  raisedSince: LimitChange | null;
  /** start-to-start lengths of the completed runs between restarts in the window, seconds (the first run's from the window's start) */
  runLengths: number[];
  /** when the OOM kills the analysis found happened (end of the run they ended), Unix seconds: the chart's markers */
  oomKillTimes: number[];
  /** the resampled series the verdict was computed on (5-minute maxima, 1-minute for windows ≤ 2 h) */
  resampled: readonly Sample[];
  points: number;
}

const HOUR = 3600;
/** Trend fits run on at most this many block maxima: slopes over hours do not need 5-minute resolution. */
const FIT_POINTS = 40;
/** Points the window is reduced to (block maxima) after segmentation: a day of 5-minute maxima. */
const ANALYSIS_POINTS = 288;
const perHour = (bytes: number) => `${formatBytes(Math.abs(bytes) < 1 ? 0 : bytes)}/h`;
const pct = (x: number) => `${Math.round(x * 100)}%`;
const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
const duration = (seg: readonly Sample[]) => (seg[seg.length - 1]?.t ?? 0) - (seg[0]?.t ?? 0);
const maxOf = (seg: readonly Sample[]) => seg.reduce((m, s) => Math.max(m, s.v), -Infinity);

interface Fit extends TrendLine {
  p: number;
  r2: number;
  tailSlopePerHour: number;
  /** a daily cycle was removed first; its amplitude */
  dailyCycle: number | null;
}

/** Theil–Sen line with its interval, Hamed–Rao Mann–Kendall p, R², the last quarter's slope and the noise. */
function fit(seg: readonly Sample[]): Fit {
  const coarse = blockMax(seg, FIT_POINTS);
  const start = coarse[0]?.t ?? 0;
  const first = lineOf(coarse, start);
  const cycle = removeDailyCycle(coarse, first.ts.slope / HOUR);
  const { xs, ys, ts } = cycle ? lineOf(cycle.adjusted, start) : first;
  const tailFrom = Math.floor(xs.length * 0.75);
  const tail = xs.length - tailFrom >= 4 ? theilSen(xs.slice(tailFrom), ys.slice(tailFrom), false).slope : ts.slope;
  const perIndex = xs.length > 1 ? ts.slope * ((xs[xs.length - 1] ?? 0) / (xs.length - 1)) : 0;
  return {
    slopePerHour: ts.slope,
    lowPerHour: ts.low,
    highPerHour: ts.high,
    intercept: ts.intercept,
    start,
    noise: mad(ys.map((y, i) => y - (ts.intercept + ts.slope * (xs[i] ?? 0)))),
    p: mannKendallHamedRao(ys, perIndex).p,
    r2: ols(xs, ys).r2,
    tailSlopePerHour: tail,
    dailyCycle: cycle?.amplitude ?? null,
  };
}

function lineOf(samples: readonly Sample[], start: number, withInterval = true) {
  const xs = samples.map((s) => (s.t - start) / HOUR);
  const ys = samples.map((s) => s.v);
  return { xs, ys, ts: theilSen(xs, ys, withInterval) };
}

interface Excursion {
  count: number;
  /** samples above the threshold */
  points: number;
  top: number;
  level: number;
  recovered: boolean;
}

/**
 * Short excursions above p95 + 3·MAD of the residuals around the segment's trend line, that are also
 * large next to the level (10%, or 5% of the limit): GC sawtooth and noise stay under it.
 */
function excursions(seg: readonly Sample[], line: Fit, limit: number | null): Excursion | null {
  const resid = seg.map((s) => s.v - (line.intercept + line.slopePerHour * ((s.t - line.start) / HOUR)));
  const level = median(seg.map((s) => s.v));
  const floor = median(resid) + Math.max(0.1 * level, limit ? 0.05 * limit : 0);
  // nothing clears the size floor: no need for the spread statistics (most series end here)
  if (!resid.some((r) => r > floor)) return null;
  const threshold = Math.max(quantile(resid, 0.95) + 3 * mad(resid), floor);
  let count = 0,
    points = 0,
    top = -Infinity,
    inRun = false;
  resid.forEach((r, i) => {
    const above = r > threshold;
    if (above) {
      points++;
      top = Math.max(top, seg[i]?.v ?? 0);
      if (!inRun) count++;
    }
    inRun = above;
  });
  if (count === 0) return null;
  return { count, points, top, level, recovered: !inRun };
}

function base(s: readonly Sample[], input: TrendInput) {
  return {
    currentBytes: input.series[input.series.length - 1]?.v ?? 0,
    peakBytes: maxOf(s),
    points: s.length,
    resampled: s,
    rss: null,
    plateau: false,
    recovered: null,
    timeToLimitSeconds: null,
    timeToLimitRange: null,
    raisedSince: null,
  } satisfies Partial<TrendAnalysis>;
}

const forecastFields = (f: Forecast | null) => ({
  timeToLimitSeconds: f?.seconds ?? null,
  timeToLimitRange: f?.range ?? null,
});

/** Whether a run between restarts ended in an OOM kill: a known kill at its end, or a peak at the limit. */
function endedInOom(
  seg: readonly Sample[],
  next: readonly Sample[] | undefined,
  input: TrendInput,
  step: number,
): boolean {
  const end = seg[seg.length - 1]?.t ?? 0;
  const resumed = next?.[0]?.t ?? input.now;
  if (input.oomAt?.some((t) => t > end - step && t <= resumed + step)) return true;
  const limit = limitThen(input, end);
  return limit !== null && maxOf(seg) >= 0.95 * limit;
}

/** The limit in effect at `t`. */
const limitThen = (input: TrendInput, t: number) =>
  input.limits && input.limits.length > 0 ? limitAt(input.limits, t) : input.limitBytes;

/** Forecast on rss when file cache is a large share of the working set (rss understates OOM risk less). */
function rssForecast(input: TrendInput, current: readonly Sample[], step: number): RssForecast | null {
  const from = current[0]?.t ?? 0;
  const rss = resampleMax(
    (input.rss ?? []).filter((s) => s.t >= from),
    step,
  );
  if (rss.length < 6 || !input.limitBytes) return null;
  const ws = new Map(current.map((s) => [s.t, s.v]));
  const shares = rss.flatMap((r) => {
    const w = ws.get(r.t);
    return w ? [(w - r.v) / w] : [];
  });
  const cacheShare = median(shares);
  if (!(cacheShare >= 0.25)) return null;
  const f = fit(rss);
  const growing = f.p < 0.01 && f.slopePerHour > 0;
  const forecast = growing ? trendForecast(f, input.limitBytes, input.now) : null;
  return { cacheShare, slopeBytesPerHour: f.slopePerHour, ...forecastFields(forecast) };
}

/**
 * The classification of one container's memory over the window (../shared/reference/memory-analysis.md):
 * segment at restarts, resample to 5-minute maxima, Theil–Sen + Hamed–Rao Mann–Kendall per run, then
 * OOM cycle → limit too low → leak → spike → stable (with plateau), first match wins.
 */
export function classify(input: TrendInput): TrendAnalysis {
  const span = duration(input.series);
  const step = span <= 2 * HOUR ? 60 : 300;
  // Segment the raw samples so restarts cut exactly, resample each run to 5-minute maxima, then at most
  // ANALYSIS_POINTS block maxima over the window (5-minute maxima up to a day, coarser beyond) carry
  // the rest of the analysis.
  const rawSegments = segmentAtRestarts(input.series, input.restarts);
  const fineSegments = rawSegments.map((seg) => resampleMax(seg, step));
  const fine = fineSegments.length === 1 ? (fineSegments[0] ?? []) : fineSegments.flat();
  const segments = fineSegments.map((seg) =>
    blockMax(seg, Math.max(6, Math.ceil((ANALYSIS_POINTS * seg.length) / Math.max(1, fine.length)))),
  );
  const s = segments.length === 1 ? (segments[0] ?? []) : segments.flat();
  const common = base(s, input);
  const limit = input.limitBytes;
  if (fine.length < 6) {
    return {
      ...common,
      classification: "stable",
      confidence: 0.1,
      slopeBytesPerHour: 0,
      slopeRange: [0, 0],
      pValue: 1,
      r2: 0,
      segments: 1,
      currentRunPoints: s.length,
      oomKills: input.oomKills ?? 0,
      oomKillTimes: [...(input.oomAt ?? [])],
      runLengths: [],
      evidence: `only ${fine.length} samples in the window: too little data to tell a trend`,
    };
  }

  const current = segments[segments.length - 1] ?? s;
  const completed = fineSegments.slice(0, -1);
  const oomKillTimes = completed.flatMap((seg, i) =>
    endedInOom(seg, fineSegments[i + 1], input, step) ? [seg[seg.length - 1]?.t ?? 0] : [],
  );
  let oomEnds = oomKillTimes.length;
  // a known kill that ended no run in the window (the current run's start, or before the first sample) is still marked
  for (const t of input.oomAt ?? []) if (!oomKillTimes.some((k) => Math.abs(k - t) <= 2 * step)) oomKillTimes.push(t);
  oomKillTimes.sort((a, b) => a - b);
  if ((input.oomAt?.length ?? 0) < (input.oomKills ?? 0))
    oomEnds = Math.max(oomEnds, Math.min(input.oomKills ?? 0, completed.length));
  const runLengths = rawSegments.slice(0, -1).map((seg, i) => (rawSegments[i + 1]?.[0]?.t ?? 0) - (seg[0]?.t ?? 0));
  const counts = {
    segments: segments.length,
    currentRunPoints: current.length,
    oomKills: Math.max(oomEnds, input.oomKills ?? 0),
    oomKillTimes,
    runLengths,
  };

  const longest = segments.reduce((a, b) => (duration(b) > duration(a) ? b : a));
  const f = fit(longest);
  const cur = longest === current ? f : fit(current);
  const stats = {
    slopeBytesPerHour: f.slopePerHour,
    slopeRange: [f.lowPerHour, f.highPerHour] as [number, number],
    pValue: f.p,
    r2: f.r2,
  };
  const rss = rssForecast(input, current, step);

  if (oomEnds >= 2) {
    // a cycle: from one start to the next
    const lengths = runLengths;
    const age = input.now - (current[0]?.t ?? input.now);
    const typical = median(lengths);
    const regular = quantile(lengths, 0.9) <= 2 * quantile(lengths, 0.1);
    const lastKill = Math.max(...oomKillTimes);
    // Raised since the last kill: the cycle ran at the old limit, and its rhythm says nothing about the new one.
    const raised = input.limits ? raisedAfter(input.limits, lastKill) : null;
    const cycle = `a cycle lasted about ${formatDuration(typical)}${regular ? "" : " (irregular)"}`;
    return {
      ...common,
      ...stats,
      ...counts,
      classification: "oom-cycle",
      rss,
      raisedSince: raised,
      confidence: clamp01(0.55 + 0.1 * oomEnds + (regular ? 0.1 : 0)),
      evidence: raised
        ? `${oomEnds} OOM kills in the window after climbing to the ${limitText(raised.from)} limit, ${cycle}; the limit was raised to ${limitText(raised.to)} at ${formatInstant(raised.at)}, no OOM kill since`
        : `${oomEnds} OOM kills in the window after climbing to the limit; ${cycle.replace("lasted", "lasts")}, the current one is ${formatDuration(age)} old`,
      ...forecastFields(raised ? null : cycleForecast(lengths, age)),
    };
  }

  const growing = f.p < 0.01 && f.slopePerHour > 0;
  const stillGrowing = f.tailSlopePerHour >= 0.3 * f.slopePerHour;
  const cycleNote = f.dailyCycle ? `; a daily cycle of ${formatBytes(f.dailyCycle)} removed first` : "";
  const p99 = quantile(
    current.map((p) => p.v),
    0.99,
  );

  if (limit && p99 >= 0.9 * limit && (!growing || !stillGrowing)) {
    return {
      ...common,
      ...stats,
      ...counts,
      classification: "limit-too-low",
      rss,
      confidence: clamp01(0.6 + (p99 / limit - 0.9) * 4),
      evidence: `sits at ${pct(p99 / limit)} of its ${formatBytes(limit)} limit (p99 ${formatBytes(p99)}) without a growing trend${oomEnds === 1 ? "; OOM-killed once in the window" : ""}`,
    };
  }

  const runLength = duration(longest);
  const growthPerDay = f.slopePerHour * 24;
  const level = median(longest.map((p) => p.v));
  const bigEnough = growthPerDay >= 0.05 * (limit ?? Math.max(level, 1));
  const longEnough = runLength >= Math.max(span / 3, Math.min(6 * HOUR, 0.75 * span)) && longest.length >= 10;
  if (growing && stillGrowing && bigEnough && longEnough) {
    // The longest run gives the growth rate; the current run says where memory is now.
    const forecast = limit
      ? trendForecast(cur === f ? f : { ...f, intercept: cur.intercept, start: cur.start }, limit, input.now)
      : null;
    const significance = clamp01(-Math.log10(Math.max(f.p, 1e-12)) / 6);
    const coverage = clamp01(runLength / (6 * HOUR));
    const tailRatio = f.slopePerHour > 0 ? f.tailSlopePerHour / f.slopePerHour : 0;
    return {
      ...common,
      ...stats,
      ...counts,
      classification: "leak",
      rss,
      confidence: clamp01(0.35 + 0.25 * significance + 0.2 * f.r2 + 0.1 * coverage + 0.1 * clamp01(tailRatio)),
      evidence: `grew ${perHour(f.slopePerHour)} for ${formatDuration(runLength)}, R² ${f.r2.toFixed(2)}, Mann–Kendall p ${formatP(f.p)}, no plateau in the last ${formatDuration(runLength / 4)} (${perHour(f.tailSlopePerHour)})${cycleNote}${runLength < 6 * HOUR ? `; only ${formatDuration(runLength)} of data, confirm with a longer window` : ""}`,
      ...forecastFields(forecast),
    };
  }

  const spikes = segments.map((seg) =>
    seg.length >= 6 ? excursions(seg, seg === longest ? f : fit(seg), limit) : null,
  );
  const found = spikes.filter((x): x is Excursion => x !== null);
  const abovePoints = found.reduce((a, x) => a + x.points, 0);
  const lastSpike = spikes.findLast((x) => x !== null);
  if (found.length > 0 && abovePoints <= Math.max(2, 0.1 * s.length)) {
    const count = found.reduce((a, x) => a + x.count, 0);
    const top = Math.max(...found.map((x) => x.top));
    const recovered = lastSpike?.recovered ?? true;
    return {
      ...common,
      ...stats,
      ...counts,
      classification: "spike",
      recovered,
      rss,
      confidence: clamp01(0.55 + 0.35 * clamp01((top - level) / Math.max(level, 1))),
      evidence: `${count} short excursion${count > 1 ? "s" : ""} to ${formatBytes(top)} above a level of ${formatBytes(level)}, no trend; ${recovered ? "it came back down" : "it has not come back down"}`,
    };
  }

  const plateau = warmUpThenPlateau(current, cur);
  const slowGrowth = growing && stillGrowing && !plateau;
  const forecast = slowGrowth && limit ? trendForecast(cur, limit, input.now) : null;
  return {
    ...common,
    ...stats,
    ...counts,
    classification: "stable",
    plateau: !!plateau,
    rss,
    confidence: plateau
      ? clamp01(0.65 + 0.3 * (1 - (Math.max(0, cur.tailSlopePerHour) * (plateau.seconds / HOUR)) / plateau.rise))
      : clamp01(0.55 + 0.4 * Math.min(1, f.p * 5)),
    evidence: plateau
      ? `warm-up then plateau: grew ${formatBytes(plateau.rise)} in the first ${formatDuration(plateau.seconds)} after the restart, flat (${perHour(cur.tailSlopePerHour)}) in the last ${formatDuration(duration(current) / 4)} — not a leak`
      : slowGrowth
        ? `slow growth of ${perHour(f.slopePerHour)} (under 5% of ${limit ? "the limit" : "its level"} a day): not a leak yet${cycleNote}`
        : `no significant trend (${perHour(f.slopePerHour)}, Mann–Kendall p ${formatP(f.p)})${cycleNote}${limit ? `; at ${pct(common.currentBytes / limit)} of the limit` : ""}`,
    ...forecastFields(forecast),
  };
}

/**
 * Warm-up then plateau: the run rose by at least 10% of its level, most of the rise happened in its first
 * half, and the last quarter is flat next to the rise (the tail-slope filter that keeps warm-ups from
 * being called leaks). Medians of quarters, so GC sawtooth and noise do not move it.
 */
function warmUpThenPlateau(run: readonly Sample[], line: Fit): { rise: number; seconds: number } | null {
  const n = run.length;
  if (n < 12) return null;
  const part = (from: number, to: number) =>
    median(run.slice(Math.floor(n * from), Math.max(Math.floor(n * from) + 1, Math.floor(n * to))).map((p) => p.v));
  const start = part(0, 0.08),
    mid = part(0.25, 0.5),
    end = part(0.75, 1);
  const rise = end - start;
  const tailGrowth = Math.max(0, line.tailSlopePerHour) * (duration(run) / 4 / HOUR);
  if (!(rise >= 0.1 * end) || mid - start < 0.6 * rise || tailGrowth >= 0.3 * rise) return null;
  const reached = run.find((p) => p.v - start >= 0.9 * rise) ?? run[n - 1];
  return { rise, seconds: (reached?.t ?? 0) - (run[0]?.t ?? 0) };
}

const limitText = (bytes: number | null) => (bytes === null ? "no" : formatBytes(bytes));

function formatP(p: number): string {
  return p < 0.001 ? "< 0.001" : p.toFixed(p < 0.01 ? 3 : 2);
}
