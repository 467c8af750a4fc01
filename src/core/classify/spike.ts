/**
 * Spike: short excursions above p95 + 3·MAD of the residuals around each run's trend line, that are also
 * large next to the level (10%, or 5% of the limit), covering at most 10% of the window: GC sawtooth and
 * noise stay under the threshold.
 */
import { formatBytes } from "../quantity.ts";
import type { Sample } from "../model.ts";
import { mad, median, quantile } from "../stats.ts";
import { clamp01, type Fit, fit, HOUR } from "./fit.ts";
import type { Judged } from "./judged.ts";
import type { TrendAnalysis } from "./types.ts";

const BASE_CONFIDENCE = 0.55;
/** a spike as high again as the level adds this much */
const PER_HEIGHT = 0.35;
/** excursions may cover at most this share of the window's points */
const MAX_SHARE = 0.1;

interface Excursion {
  count: number;
  /** samples above the threshold */
  points: number;
  top: number;
  level: number;
  recovered: boolean;
}

function excursions(seg: readonly Sample[], line: Fit, limit: number | null): Excursion | null {
  const resid = seg.map((s) => s.v - (line.intercept + line.slopePerHour * ((s.t - line.start) / HOUR)));
  const typical = median(resid);
  // nothing clears the size floor: no need for the spread statistics (most series end here, and with a
  // limit most end before the level is needed: the floor is at least 5% of the limit above the line)
  if (limit && !resid.some((r) => r > typical + 0.05 * limit)) return null;
  const level = median(seg.map((s) => s.v));
  const floor = typical + Math.max(0.1 * level, limit ? 0.05 * limit : 0);
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

export function spike(j: Judged): TrendAnalysis | null {
  const { segments, longest, f, limit, all } = j;
  const spikes = segments.map((seg) =>
    seg.length >= 6 ? excursions(seg, seg === longest ? f : fit(seg), limit) : null,
  );
  const found = spikes.filter((x): x is Excursion => x !== null);
  const abovePoints = found.reduce((a, x) => a + x.points, 0);
  if (found.length === 0 || abovePoints > Math.max(2, MAX_SHARE * all.length)) return null;
  const level = median(longest.map((p) => p.v));
  const count = found.reduce((a, x) => a + x.count, 0);
  const top = Math.max(...found.map((x) => x.top));
  const recovered = spikes.findLast((x) => x !== null)?.recovered ?? true;
  return {
    ...j.common,
    classification: "spike",
    recovered,
    confidence: clamp01(BASE_CONFIDENCE + PER_HEIGHT * clamp01((top - level) / Math.max(level, 1))),
    evidence: `${count} short excursion${count > 1 ? "s" : ""} to ${formatBytes(top)} above a level of ${formatBytes(level)}, no trend; ${recovered ? "it came back down" : "it has not come back down"}`,
  };
}
