import type { Sample } from "./model.ts";
import { mad, median } from "./stats.ts";

const DAY = 86_400;
const MAX_BINS = 24;
const MIN_PER_BIN = 4;

export interface DailyCycle {
  /** the series with the hour-of-day profile removed (re-centred on the original level) */
  adjusted: Sample[];
  /** max − min of the hour-of-day profile, bytes */
  amplitude: number;
}

/**
 * A daily traffic cycle makes memory rise every morning, which is not a leak. With at least two full
 * days, the median of the (linearly detrended) residuals per time-of-day bin is the daily profile; it is
 * removed when it is large next to the remaining noise. Bins hold at least 4 samples (up to 24 hourly
 * bins): with 2 a bin, the medians of pure noise already make a "profile" that passes the test.
 * Null when there is no such cycle.
 */
export function removeDailyCycle(series: readonly Sample[], slopePerSecond: number): DailyCycle | null {
  const first = series[0],
    last = series[series.length - 1];
  if (!first || !last || last.t - first.t < 2 * DAY) return null;
  const perDay = series.length / ((last.t - first.t) / DAY);
  const count = Math.min(MAX_BINS, Math.floor(series.length / MIN_PER_BIN), Math.floor(perDay));
  if (count < 3) return null;
  const bin = (t: number) => Math.floor(((t % DAY) / DAY) * count);
  const resid = series.map((s) => s.v - slopePerSecond * (s.t - first.t));
  const bins: number[][] = Array.from({ length: count }, () => []);
  series.forEach((s, i) => bins[bin(s.t)]?.push(resid[i] ?? 0));
  if (bins.some((b) => b.length === 0)) return null;
  const centre = median(resid);
  const profile = bins.map((b) => median(b) - centre);
  const amplitude = Math.max(...profile) - Math.min(...profile);
  const at = (t: number) => profile[bin(t)] ?? 0;
  const adjusted = series.map((s) => ({ t: s.t, v: s.v - at(s.t) }));
  const k = series.length / count;
  // the residuals around each bin's own median understate the noise by about √((k − 1)/k)
  const noise = mad(series.map((s, i) => (resid[i] ?? 0) - at(s.t))) * Math.sqrt(k / (k - 1));
  return amplitude > 3 * Math.max(noise, 1) ? { adjusted, amplitude } : null;
}
