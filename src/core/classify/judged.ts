/**
 * What every class is judged on, computed once: the window segmented at restarts and resampled, the OOM
 * kills that ended runs (by the limit in effect then), the longest and the current run's trend lines,
 * and the fields every answer shares.
 */
import { type Forecast, trendForecast } from "../forecast.ts";
import { limitAt } from "../limit-history.ts";
import type { Sample } from "../model.ts";
import { blockMax, resampleMax, segmentAtRestarts } from "../series.ts";
import { median } from "../stats.ts";
import { duration, type Fit, fit, HOUR, maxOf } from "./fit.ts";
import type { RssForecast, TrendAnalysis, TrendInput } from "./types.ts";

/** Points the window is reduced to (block maxima) after segmentation: a day of 5-minute maxima. */
const ANALYSIS_POINTS = 288;
/** rss is forecast too when this share of the working set is file cache */
const CACHE_SHARE = 0.25;
/** a trend counts when Mann–Kendall's p is below this */
export const SIGNIFICANT = 0.01;

export interface Judged {
  input: TrendInput;
  span: number;
  /** resampling step: 1 minute for windows up to 2 hours, else 5 */
  step: number;
  /** each run between restarts, resampled */
  fineSegments: Sample[][];
  /** the same, as block maxima (what the classes look at) */
  segments: Sample[][];
  /** all segments' points */
  all: Sample[];
  current: Sample[];
  longest: Sample[];
  /** the longest run's trend; `cur` the current run's (the same object when they are one run) */
  f: Fit;
  cur: Fit;
  limit: number | null;
  /** runs that ended in an OOM kill */
  oomEnds: number;
  growing: boolean;
  stillGrowing: boolean;
  /** what every answer carries: levels, counts, stats, rss forecast */
  common: Omit<TrendAnalysis, "classification" | "confidence" | "evidence">;
}

export const forecastFields = (f: Forecast | null) => ({
  timeToLimitSeconds: f?.seconds ?? null,
  timeToLimitRange: f?.range ?? null,
});

/** The limit in effect at `t`. */
export const limitThen = (input: TrendInput, t: number) =>
  input.limits && input.limits.length > 0 ? limitAt(input.limits, t) : input.limitBytes;

/** Whether a run between restarts ended in an OOM kill: a known kill at its end, or a peak at the limit then. */
function endedInOom(seg: readonly Sample[], next: readonly Sample[] | undefined, input: TrendInput, step: number) {
  const end = seg[seg.length - 1]?.t ?? 0;
  const resumed = next?.[0]?.t ?? input.now;
  if (input.oomAt?.some((t) => t > end - step && t <= resumed + step)) return true;
  const limit = limitThen(input, end);
  return limit !== null && maxOf(seg) >= 0.95 * limit;
}

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
  if (!(cacheShare >= CACHE_SHARE)) return null;
  const f = fit(rss);
  const growing = f.p < SIGNIFICANT && f.slopePerHour > 0;
  const forecast = growing ? trendForecast(f, input.limitBytes, input.now) : null;
  return { cacheShare, slopeBytesPerHour: f.slopePerHour, ...forecastFields(forecast) };
}

/** The kills that ended runs, the known ones that ended none, and the runs' start-to-start lengths. */
function kills(input: TrendInput, rawSegments: Sample[][], fineSegments: Sample[][], step: number) {
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
  return { oomKillTimes, oomEnds, runLengths };
}

type Levels = Pick<
  Judged["common"],
  | "currentBytes"
  | "peakBytes"
  | "points"
  | "resampled"
  | "plateau"
  | "recovered"
  | "timeToLimitSeconds"
  | "timeToLimitRange"
  | "raisedSince"
>;

/** What can be said of a series too short to fit: its levels, no slope. */
function tooLittle(input: TrendInput, levels: Levels, all: Sample[], fine: number) {
  const common = {
    ...levels,
    rss: null,
    slopeBytesPerHour: 0,
    slopeRange: [0, 0] as [number, number],
    pValue: 1,
    r2: 0,
    segments: 1,
    currentRunPoints: all.length,
    oomKills: input.oomKills ?? 0,
    oomKillTimes: [...(input.oomAt ?? [])],
    runLengths: [],
  };
  return { tooLittle: all, fine, common };
}

/** Segments at restarts (raw samples, so restarts cut exactly), resamples, then judges; null when too little data. */
export function judge(input: TrendInput): Judged | { tooLittle: Sample[]; fine: number; common: Judged["common"] } {
  const span = duration(input.series);
  const step = span <= 2 * HOUR ? 60 : 300;
  const rawSegments = segmentAtRestarts(input.series, input.restarts);
  const fineSegments = rawSegments.map((seg) => resampleMax(seg, step));
  const fine = fineSegments.length === 1 ? (fineSegments[0] ?? []) : fineSegments.flat();
  // at most ANALYSIS_POINTS block maxima over the window: 5-minute maxima up to a day, coarser beyond
  const segments = fineSegments.map((seg) =>
    blockMax(seg, Math.max(6, Math.ceil((ANALYSIS_POINTS * seg.length) / Math.max(1, fine.length)))),
  );
  const all = segments.length === 1 ? (segments[0] ?? []) : segments.flat();
  const levels: Levels = {
    currentBytes: input.series[input.series.length - 1]?.v ?? 0,
    peakBytes: maxOf(all),
    points: all.length,
    resampled: all,
    plateau: false,
    recovered: null,
    timeToLimitSeconds: null,
    timeToLimitRange: null,
    raisedSince: null,
  };
  if (fine.length < 6) return tooLittle(input, levels, all, fine.length);
  const current = segments[segments.length - 1] ?? all;
  const { oomKillTimes, oomEnds, runLengths } = kills(input, rawSegments, fineSegments, step);
  const longest = segments.reduce((a, b) => (duration(b) > duration(a) ? b : a));
  const f = fit(longest);
  const cur = longest === current ? f : fit(current);
  return {
    input,
    span,
    step,
    fineSegments,
    segments,
    all,
    current,
    longest,
    f,
    cur,
    limit: input.limitBytes,
    oomEnds,
    growing: f.p < SIGNIFICANT && f.slopePerHour > 0,
    stillGrowing: f.tailSlopePerHour >= 0.3 * f.slopePerHour,
    common: {
      ...levels,
      rss: rssForecast(input, current, step),
      slopeBytesPerHour: f.slopePerHour,
      slopeRange: [f.lowPerHour, f.highPerHour],
      pValue: f.p,
      r2: f.r2,
      segments: segments.length,
      currentRunPoints: current.length,
      oomKills: Math.max(oomEnds, input.oomKills ?? 0),
      oomKillTimes,
      runLengths,
    },
  };
}
