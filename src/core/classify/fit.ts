/** The trend line of one run between restarts, and the statistics the classes are judged on. */
import { removeDailyCycle } from "../daily-cycle.ts";
import type { TrendLine } from "../forecast.ts";
import type { Sample } from "../model.ts";
import { blockMax } from "../series.ts";
import { mad, mannKendallHamedRao, ols, theilSen } from "../stats.ts";

export const HOUR = 3600;
/** Trend fits run on at most this many block maxima: slopes over hours do not need 5-minute resolution. */
const FIT_POINTS = 40;

export interface Fit extends TrendLine {
  p: number;
  r2: number;
  tailSlopePerHour: number;
  /** a daily cycle was removed first; its amplitude */
  dailyCycle: number | null;
}

function lineOf(samples: readonly Sample[], start: number) {
  const xs = samples.map((s) => (s.t - start) / HOUR);
  const ys = samples.map((s) => s.v);
  return { xs, ys, ts: theilSen(xs, ys, true) };
}

/** Theil–Sen line with its interval, Hamed–Rao Mann–Kendall p, R², the last quarter's slope and the noise. */
export function fit(seg: readonly Sample[]): Fit {
  const coarse = blockMax(seg, FIT_POINTS);
  const start = coarse[0]?.t ?? 0;
  const first = lineOf(coarse, start);
  const cycle = removeDailyCycle(coarse, first.ts.slope / HOUR);
  const { xs, ys, ts } = cycle ? lineOf(cycle.adjusted, start) : first;
  const tailFrom = Math.floor(xs.length * 0.75);
  const tail = xs.length - tailFrom >= 4 ? theilSen(xs.slice(tailFrom), ys.slice(tailFrom), false).slope : ts.slope;
  const perIndex = xs.length > 1 ? ts.slope * ((xs[xs.length - 1] ?? 0) / (xs.length - 1)) : 0;
  const residuals = ys.map((y, i) => y - (ts.intercept + ts.slope * (xs[i] ?? 0)));
  const r2 = ols(xs, ys).r2;
  return {
    slopePerHour: ts.slope,
    lowPerHour: ts.low,
    highPerHour: ts.high,
    intercept: ts.intercept,
    start,
    noise: mad(residuals),
    excursion: Math.max(0, ...residuals),
    p: mannKendallHamedRao(ys, perIndex).p,
    r2,
    tailSlopePerHour: tail,
    dailyCycle: cycle?.amplitude ?? null,
  };
}

export const duration = (seg: readonly Sample[]) => (seg[seg.length - 1]?.t ?? 0) - (seg[0]?.t ?? 0);
export const maxOf = (seg: readonly Sample[]) => seg.reduce((m, s) => Math.max(m, s.v), -Infinity);
export const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
export const pct = (x: number) => `${Math.round(x * 100)}%`;

export function formatP(p: number): string {
  return p < 0.001 ? "< 0.001" : p.toFixed(p < 0.01 ? 3 : 2);
}
