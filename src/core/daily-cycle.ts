import type { Sample } from "./model.ts";
import { mad, median } from "./stats.ts";

const DAY = 86_400;
const BINS = 24;

export interface DailyCycle {
  /** the series with the hour-of-day profile removed (re-centred on the original level) */
  adjusted: Sample[];
  /** max − min of the hour-of-day profile, bytes */
  amplitude: number;
}

/**
 * A daily traffic cycle makes memory rise every morning, which is not a leak. With at least two full
 * days, the median of the (linearly detrended) residuals per hour of day is the daily profile; it is
 * removed when it is large next to the remaining noise. Null when there is no such cycle.
 */
export function removeDailyCycle(series: readonly Sample[], slopePerSecond: number): DailyCycle | null {
  const first = series[0], last = series[series.length - 1];
  if (!first || !last || last.t - first.t < 2 * DAY) return null;
  const resid = series.map((s) => s.v - slopePerSecond * (s.t - first.t));
  const bins: number[][] = Array.from({ length: BINS }, () => []);
  series.forEach((s, i) => bins[Math.floor(((s.t % DAY) / DAY) * BINS)]?.push(resid[i] ?? 0));
  if (bins.some((b) => b.length === 0)) return null;
  const centre = median(resid);
  const profile = bins.map((b) => median(b) - centre);
  const amplitude = Math.max(...profile) - Math.min(...profile);
  const at = (t: number) => profile[Math.floor(((t % DAY) / DAY) * BINS)] ?? 0;
  const adjusted = series.map((s) => ({ t: s.t, v: s.v - at(s.t) }));
  const noise = mad(series.map((s, i) => (resid[i] ?? 0) - at(s.t)));
  return amplitude > 3 * Math.max(noise, 1) ? { adjusted, amplitude } : null;
}
