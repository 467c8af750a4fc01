/** Small, dependency-free statistics used by the trend analysis. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile, q in [0, 1]. NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? NaN;
  const b = sorted[hi] ?? NaN;
  return a + (b - a) * (pos - lo);
}

export interface Line {
  slope: number;
  intercept: number;
}

/** Ordinary least squares with its coefficient of determination. */
export function ols(xs: readonly number[], ys: readonly number[]): Line & { r2: number } {
  const n = xs.length;
  if (n < 2) return { slope: 0, intercept: ys[0] ?? 0, r2: 0 };
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) { sx += xs[i] ?? 0; sy += ys[i] ?? 0; }
  const mx = sx / n, my = sy / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - mx, dy = (ys[i] ?? 0) - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2 };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Variance of the Mann–Kendall S statistic under no trend, corrected for ties. */
export function mannKendallVariance(ys: readonly number[]): number {
  const n = ys.length;
  const ties = new Map<number, number>();
  for (const y of ys) ties.set(y, (ties.get(y) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of ties.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  return (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
}

/** Mann–Kendall S statistic, its variance (ties corrected) and the two-sided p-value. */
export function mannKendall(ys: readonly number[]): { s: number; variance: number; z: number; p: number } {
  const n = ys.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const yi = ys[i] ?? 0;
    for (let j = i + 1; j < n; j++) s += Math.sign((ys[j] ?? 0) - yi);
  }
  const variance = mannKendallVariance(ys);
  const z = variance <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { s, variance, z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Theil–Sen slope with Sen's 95% confidence interval and the median-based intercept. */
export function theilSen(xs: readonly number[], ys: readonly number[]): Line & { low: number; high: number } {
  const n = xs.length;
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = xs[i] ?? 0, yi = ys[i] ?? 0;
    for (let j = i + 1; j < n; j++) {
      const dx = (xs[j] ?? 0) - xi;
      if (dx !== 0) slopes[m++] = ((ys[j] ?? 0) - yi) / dx;
    }
  }
  if (m === 0) return { slope: 0, intercept: ys[0] ?? 0, low: 0, high: 0 };
  // Only three order statistics are needed: quickselect them instead of sorting every pairwise slope.
  const at = (k: number) => select(slopes, Math.min(m - 1, Math.max(0, k)), m);
  const slope = m % 2 === 1 ? at((m - 1) / 2) : (at(m / 2 - 1) + at(m / 2)) / 2;
  const intercept = median(ys.map((y, i) => y - slope * (xs[i] ?? 0)));
  const c = 1.96 * Math.sqrt(Math.max(mannKendallVariance(ys), 0));
  return { slope, intercept, low: at(Math.floor((m - c) / 2)), high: at(Math.ceil((m + c) / 2)) };
}

/** The k-th smallest of a[0..n) (Hoare's quickselect; reorders a in place). */
export function select(a: Float64Array, k: number, n: number): number {
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1] ?? 0;
    let i = lo, j = hi;
    while (i <= j) {
      while ((a[i] ?? 0) < pivot) i++;
      while ((a[j] ?? 0) > pivot) j--;
      if (i <= j) {
        const t = a[i] ?? 0;
        a[i++] = a[j] ?? 0;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] ?? 0;
}

/** Median absolute deviation, scaled to estimate a normal standard deviation. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}
