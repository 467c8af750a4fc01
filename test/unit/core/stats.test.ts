import { describe, expect, it } from "vitest";
import { mannKendall, median, ols, quantile, select, theilSen } from "../../../src/core/stats.ts";
import { rng } from "../../support/fixtures.ts";

describe("statistics", () => {
  it("quickselect agrees with sorting", () => {
    const r = rng(7);
    const values = Array.from({ length: 501 }, () => Math.floor(r() * 100));
    const sorted = [...values].sort((a, b) => a - b);
    for (const k of [0, 1, 250, 499, 500]) expect(select(Float64Array.from(values), k, values.length)).toBe(sorted[k]);
  });

  it("Theil–Sen slope is the median pairwise slope and ignores an outlier that moves OLS", () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    const ys = xs.map((x) => 3 * x + 10);
    ys[19] = 1000;
    const brute: number[] = [];
    for (let i = 0; i < xs.length; i++)
      for (let j = i + 1; j < xs.length; j++) brute.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
    const ts = theilSen(xs, ys);
    expect(ts.slope).toBeCloseTo(median(brute), 10);
    expect(ts.slope).toBeCloseTo(3, 10);
    expect(ts.low).toBeLessThanOrEqual(3);
    expect(ts.high).toBeGreaterThanOrEqual(3);
    expect(ols(xs, ys).slope).toBeGreaterThan(10);
  });

  it("Mann–Kendall finds a monotone trend and not noise", () => {
    const r = rng(3);
    expect(mannKendall(Array.from({ length: 50 }, (_, i) => i + r())).p).toBeLessThan(1e-6);
    expect(mannKendall(Array.from({ length: 50 }, () => r())).p).toBeGreaterThan(0.05);
  });

  it("OLS r² is 1 on a line and near 0 on noise", () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    expect(
      ols(
        xs,
        xs.map((x) => 2 * x + 1),
      ).r2,
    ).toBeCloseTo(1, 10);
    const r = rng(9);
    expect(
      ols(
        xs,
        xs.map(() => r()),
      ).r2,
    ).toBeLessThan(0.2);
  });

  it("quantile interpolates", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5], 0.99)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
