/**
 * Leak: the longest run grows significantly (Mann–Kendall), still grows in its last quarter (no plateau),
 * by at least 5% of the limit a day — or, over a week or more, by 10% of the limit in all (a slow leak of
 * 2% a day that a short window calls stable) — over enough of the window to tell.
 */
import { formatDuration } from "../duration.ts";
import { trendForecast } from "../forecast.ts";
import { formatBytes } from "../quantity.ts";
import { median } from "../stats.ts";
import { clamp01, duration, formatP, HOUR } from "./fit.ts";
import { forecastFields, type Judged } from "./judged.ts";
import type { TrendAnalysis } from "./types.ts";

/** growth a day, as a share of the limit (of the level without one), below which it is slow growth, not a leak */
const MIN_DAILY_GROWTH = 0.05;
/** over a run of a week or more, growth in all (a share of the limit) that makes a slow leak */
const SLOW_LEAK = { minRun: 7 * 24 * HOUR, minGrowth: 0.1 };
const BASE_CONFIDENCE = 0.35;
/** weights of the evidence: significance (p down to 1e-6), R², hours covered (up to 6), the tail still growing */
const WEIGHT = { significance: 0.25, r2: 0.2, coverage: 0.1, tail: 0.1 };

export const perHour = (bytes: number) => `${formatBytes(Math.abs(bytes) < 1 ? 0 : bytes)}/h`;

export function leak(j: Judged): TrendAnalysis | null {
  const { f, cur, longest, limit, input, span } = j;
  if (!(j.growing && j.stillGrowing)) return null; // most series end here, before any statistics
  const runLength = duration(longest);
  const scale = limit ?? Math.max(median(longest.map((p) => p.v)), 1);
  const bigEnough =
    f.slopePerHour * 24 >= MIN_DAILY_GROWTH * scale ||
    (runLength >= SLOW_LEAK.minRun && (f.slopePerHour * runLength) / HOUR >= SLOW_LEAK.minGrowth * scale);
  const longEnough = runLength >= Math.max(span / 3, Math.min(6 * HOUR, 0.75 * span)) && longest.length >= 10;
  if (!(bigEnough && longEnough)) return null;
  // The longest run gives the growth rate; the current run says where memory is now.
  const forecast = limit
    ? trendForecast(cur === f ? f : { ...f, intercept: cur.intercept, start: cur.start }, limit, input.now)
    : null;
  const significance = clamp01(-Math.log10(Math.max(f.p, 1e-12)) / 6);
  const coverage = clamp01(runLength / (6 * HOUR));
  const tailRatio = f.slopePerHour > 0 ? f.tailSlopePerHour / f.slopePerHour : 0;
  const cycleNote = f.dailyCycle ? `; a daily cycle of ${formatBytes(f.dailyCycle)} removed first` : "";
  return {
    ...j.common,
    classification: "leak",
    confidence: clamp01(
      BASE_CONFIDENCE +
        WEIGHT.significance * significance +
        WEIGHT.r2 * f.r2 +
        WEIGHT.coverage * coverage +
        WEIGHT.tail * clamp01(tailRatio),
    ),
    evidence: `grew ${perHour(f.slopePerHour)} for ${formatDuration(runLength)}, R² ${f.r2.toFixed(2)}, Mann–Kendall p ${formatP(f.p)}, no plateau in the last ${formatDuration(runLength / 4)} (${perHour(f.tailSlopePerHour)})${cycleNote}${runLength < 6 * HOUR ? `; only ${formatDuration(runLength)} of data, confirm with a longer window` : ""}`,
    ...forecastFields(forecast),
  };
}
