import { formatDuration } from "./duration.ts";
import { median, quantile } from "./stats.ts";

const HOUR = 3600;

export interface Forecast {
  /** seconds until the limit; 0 when already there */
  seconds: number;
  /** [soonest, latest]; latest null when the slope's confidence interval reaches zero */
  range: [number, number | null];
}

export interface TrendLine {
  /** Theil–Sen slope and its 95% interval, bytes per hour */
  slopePerHour: number;
  lowPerHour: number;
  highPerHour: number;
  /** the line's value at `start`, bytes */
  intercept: number;
  start: number;
  /** spread of the residuals around the line (scaled MAD), bytes */
  noise: number;
  /** the highest excursion above the line in the window (a burst), bytes */
  excursion: number;
  /** how much of the variation the line explains */
  r2: number;
}

/**
 * No leak is exactly linear: over hours of samples the slope's own interval gets narrower than the
 * straight line deserves, so the range allows at least ±10% on the slope (with the slope's interval alone
 * the range held the true crossing in 37% of the library's leaks, with this 99%).
 */
const MODEL_ERROR = 0.1;

/**
 * Below this R² the line explains too little of the variation to say by when the limit must be reached:
 * the range has no far end. (On the real Bitbrains VMs, growth that passed the trend test with R² 0.09
 * was given ranges ending within days, and the limits were never reached in the weeks that followed.)
 */
const FIT_FOR_LATEST = 0.5;

/**
 * Time until the trend line, plus the noise around it, reaches the limit: (limit − trend now − noise)
 * / slope. The range: soonest at the slope's upper bound with the highest burst seen above the line on
 * top (a burst like that crosses first; with only the noise's spread on top, the range began after 4 of
 * the 6 crossings on real traces); latest at its lower bound for the trend line itself, since the noise
 * may not be at its peak when the trend gets there (with the noise taken off both ends, the range held
 * the true crossing in only 27% of the library's leaks), and none when the line fits poorly. Null
 * without an upward trend.
 */
export function trendForecast(line: TrendLine, limit: number, now: number): Forecast | null {
  if (line.slopePerHour <= 0) return null;
  const trendNow = line.intercept + line.slopePerHour * ((now - line.start) / HOUR);
  const room = Math.max(0, limit - trendNow - line.noise);
  const seconds = (room / line.slopePerHour) * HOUR;
  const burstRoom = Math.max(0, limit - trendNow - Math.max(line.noise, line.excursion));
  const soonest = (burstRoom / Math.max(line.highPerHour, line.slopePerHour * (1 + MODEL_ERROR))) * HOUR;
  const trendRoom = Math.max(0, limit - trendNow);
  const latest =
    line.lowPerHour > 0 && line.r2 >= FIT_FOR_LATEST
      ? (trendRoom / Math.min(line.lowPerHour, line.slopePerHour * (1 - MODEL_ERROR))) * HOUR
      : null;
  return { seconds, range: [soonest, latest] };
}

/** For an OOM cycle: the typical cycle length minus the age of the current one; range from its spread. */
export function cycleForecast(cycleLengths: readonly number[], currentAge: number): Forecast {
  const left = (x: number) => Math.max(0, x - currentAge);
  return {
    seconds: left(median(cycleLengths)),
    range: [left(quantile(cycleLengths, 0.1)), left(quantile(cycleLengths, 0.9))],
  };
}

/** Shorter than this, "in ~0s" would be a lie of precision: it is at the limit now. */
const NOW_SECONDS = 60;

/**
 * The forecast in words: "limit in ~2h 10m (1h 30m–4h)", "at the limit now", null without one.
 * `withRange` adds the interval (soonest "now" when it already touches the limit; latest ∞ when the
 * slope's interval reaches zero).
 */
export function forecastText(
  a: { timeToLimitSeconds: number | null; timeToLimitRange: [number, number | null] | null },
  withRange = true,
): string | null {
  if (a.timeToLimitSeconds === null) return null;
  if (a.timeToLimitSeconds < NOW_SECONDS) return "at the limit now";
  const at = (s: number) => (s < NOW_SECONDS ? "now" : formatDuration(s));
  const range = withRange && a.timeToLimitRange;
  return `limit in ~${formatDuration(a.timeToLimitSeconds)}${range ? ` (${at(range[0])}–${range[1] === null ? "∞" : at(range[1])})` : ""}`;
}
