import { describe, expect, it } from "vitest";
import { forecastText, trendForecast, type TrendLine } from "../../../src/core/forecast.ts";
import { MiB } from "../../../src/core/quantity.ts";

const H = 3600;
// 10 Mi/h from 500Mi at t=0, a 1Gi limit: the line itself gets there in 52.4 h
const line = (over: Partial<TrendLine> = {}): TrendLine => ({
  slopePerHour: 10 * MiB,
  lowPerHour: 9.5 * MiB,
  highPerHour: 10.5 * MiB,
  intercept: 500 * MiB,
  start: 0,
  noise: 4 * MiB,
  excursion: 4 * MiB,
  r2: 0.95,
  ...over,
});

describe("trendForecast", () => {
  it("a clean line: ~the time the trend and its noise reach the limit, a range of ±10% on the slope", () => {
    const f = trendForecast(line(), 1024 * MiB, 0)!;
    expect(f.seconds / H).toBeCloseTo(52, 0);
    expect(f.range[0] / H).toBeCloseTo((520 / 11) * 1, 0); // (1024 − 500 − 4) / 11 Mi/h
    expect(f.range[1]! / H).toBeCloseTo(524 / 9, 0); // the trend line at 9 Mi/h
  });

  it("a burst seen above the line brings the soonest crossing forward: a burst like it crosses first", () => {
    const f = trendForecast(line({ excursion: 200 * MiB }), 1024 * MiB, 0)!;
    expect(f.seconds / H).toBeCloseTo(52, 0); // the estimate is still the trend's
    expect(f.range[0] / H).toBeCloseTo(324 / 11, 0);
  });

  it("a line that explains little of the variation (R² < 0.5) gives no far end: it may never get there", () => {
    const f = trendForecast(line({ r2: 0.2 }), 1024 * MiB, 0)!;
    expect(f.range[1]).toBeNull();
    expect(forecastText({ timeToLimitSeconds: f.seconds, timeToLimitRange: f.range })).toMatch(
      /^limit in ~2d 4h \(1d 23h–∞\)$/,
    );
  });

  it("no upward trend, no forecast", () => {
    expect(trendForecast(line({ slopePerHour: 0 }), 1024 * MiB, 0)).toBeNull();
  });
});
