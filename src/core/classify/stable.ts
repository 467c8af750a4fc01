/** Stable: what is left — flat, slow growth (not a leak yet), or a warm-up then a plateau (explicitly not a leak). */
import { formatDuration } from "../duration.ts";
import { trendForecast } from "../forecast.ts";
import type { Sample } from "../model.ts";
import { formatBytes } from "../quantity.ts";
import { median } from "../stats.ts";
import { clamp01, duration, type Fit, formatP, HOUR, pct } from "./fit.ts";
import { forecastFields, type Judged } from "./judged.ts";
import { perHour } from "./leak.ts";
import type { TrendAnalysis } from "./types.ts";

const PLATEAU_CONFIDENCE = 0.65;
/** a flat tail next to the rise adds up to this much */
const PLATEAU_FLATNESS = 0.3;
const FLAT_CONFIDENCE = 0.55;
/** the less significant the trend (p up to 0.2), the surer it is flat */
const FLAT_INSIGNIFICANCE = 0.4;

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

export function stable(j: Judged): TrendAnalysis {
  const { current, cur, f, limit, input, common } = j;
  const plateau = warmUpThenPlateau(current, cur);
  const slowGrowth = j.growing && j.stillGrowing && !plateau;
  const forecast = slowGrowth && limit ? trendForecast(cur, limit, input.now) : null;
  const cycleNote = f.dailyCycle ? `; a daily cycle of ${formatBytes(f.dailyCycle)} removed first` : "";
  return {
    ...common,
    classification: "stable",
    plateau: !!plateau,
    confidence: plateau
      ? clamp01(
          PLATEAU_CONFIDENCE +
            PLATEAU_FLATNESS * (1 - (Math.max(0, cur.tailSlopePerHour) * (plateau.seconds / HOUR)) / plateau.rise),
        )
      : clamp01(FLAT_CONFIDENCE + FLAT_INSIGNIFICANCE * Math.min(1, f.p * 5)),
    evidence: plateau
      ? `warm-up then plateau: grew ${formatBytes(plateau.rise)} in the first ${formatDuration(plateau.seconds)} after the restart, flat (${perHour(cur.tailSlopePerHour)}) in the last ${formatDuration(duration(current) / 4)} — not a leak`
      : slowGrowth
        ? `slow growth of ${perHour(f.slopePerHour)} (under 5% of ${limit ? "the limit" : "its level"} a day): not a leak yet${cycleNote}`
        : `no significant trend (${perHour(f.slopePerHour)}, Mann–Kendall p ${formatP(f.p)})${cycleNote}${limit ? `; at ${pct(common.currentBytes / limit)} of the limit` : ""}`,
    ...forecastFields(forecast),
  };
}
