/** Small, dependency-free statistics used by the trend analysis. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

let quantileScratch = new Float64Array(1024);

/** Linear-interpolated quantile, q in [0, 1]. NaN for an empty list. Quickselect: O(n), no full sort. */
export function quantile(values: readonly number[] | Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  // a reused buffer: allocating a typed array per call cost more than the selection itself
  if (quantileScratch.length < n) quantileScratch = new Float64Array(Math.max(n, 2 * quantileScratch.length));
  const a = quantileScratch;
  for (let i = 0; i < n; i++) a[i] = values[i]!;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const x = select(a, lo, n);
  if (pos === lo) return x;
  // after selecting lo, every element above index lo is ≥ a[lo]: the next order statistic is their minimum
  let y = Infinity;
  for (let i = lo + 1; i < n; i++) y = Math.min(y, a[i] ?? Infinity);
  return x + (y - x) * (pos - lo);
}

export interface Line {
  slope: number;
  intercept: number;
}

/** Ordinary least squares with its coefficient of determination. */
export function ols(xs: readonly number[], ys: readonly number[]): Line & { r2: number } {
  const n = xs.length;
  if (n < 2) return { slope: 0, intercept: ys[0] ?? 0, r2: 0 };
  let sx = 0,
    sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] ?? 0;
    sy += ys[i] ?? 0;
  }
  const mx = sx / n,
    my = sy / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - mx,
      dy = (ys[i] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2 };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Variance of the Mann–Kendall S statistic under no trend, corrected for ties. */
export function mannKendallVariance(ys: readonly number[]): number {
  const n = ys.length;
  // tie groups from a native numeric sort (a Map per call cost more than the rest of the test)
  const sorted = new Float64Array(ys).sort();
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  return (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
}

/** Mann–Kendall S statistic, its variance (ties corrected) and the two-sided p-value. */
export function mannKendall(ys: readonly number[]): { s: number; variance: number; z: number; p: number } {
  const n = ys.length;
  let s = 0;
  const y = ys;
  for (let i = 0; i < n - 1; i++) {
    const yi = y[i]!;
    for (let j = i + 1; j < n; j++) {
      const d = y[j]! - yi;
      s += d > 0 ? 1 : d < 0 ? -1 : 0;
    }
  }
  const variance = mannKendallVariance(ys);
  const z = variance <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { s, variance, z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Theil–Sen slope with Sen's 95% confidence interval and the median-based intercept. */
export function theilSen(
  xs: readonly number[],
  ys: readonly number[],
  withInterval = true,
): Line & { low: number; high: number } {
  const n = xs.length;
  const size = (n * (n - 1)) / 2;
  if (scratch.length < size) scratch = new Float64Array(size);
  const slopes = scratch;
  const x = xs,
    y = ys;
  let m = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i]!,
      yi = y[i]!;
    for (let j = i + 1; j < n; j++) {
      const dx = x[j]! - xi;
      if (dx !== 0) slopes[m++] = (y[j]! - yi) / dx;
    }
  }
  if (m === 0) return { slope: 0, intercept: ys[0] ?? 0, low: 0, high: 0 };
  // Only three order statistics are needed: quickselect them instead of sorting every pairwise slope.
  const at = (k: number) => select(slopes, Math.min(m - 1, Math.max(0, k)), m);
  const slope = m % 2 === 1 ? at((m - 1) / 2) : (at(m / 2 - 1) + at(m / 2)) / 2;
  const intercept = median(ys.map((v, i) => v - slope * x[i]!));
  if (!withInterval) return { slope, intercept, low: slope, high: slope };
  const c = 1.96 * Math.sqrt(Math.max(mannKendallVariance(ys), 0));
  return { slope, intercept, low: at(Math.floor((m - c) / 2)), high: at(Math.ceil((m + c) / 2)) };
}

/** Reused pairwise-slope buffer: the analysis runs on one thread, one fit at a time. */
let scratch = new Float64Array(0);

/** The k-th smallest of a[0..n) (Hoare's quickselect; reorders a in place). */
export function select(a: Float64Array, k: number, n: number): number {
  let lo = 0,
    hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/** Median absolute deviation, scaled to estimate a normal standard deviation. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

/** Average ranks (1-based), ties sharing the mean of their positions. A native numeric sort, then a binary search per value. */
export function ranks(values: readonly number[]): Float64Array {
  const n = values.length;
  const sorted = new Float64Array(values).sort();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let lo = 0,
      hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < n && sorted[end] === v) end++;
    out[i] = (lo + end - 1) / 2 + 1;
  }
  return out;
}

/**
 * Mann–Kendall with the Hamed–Rao (1998) correction for autocorrelation: the variance of S is
 * inflated by n/n* computed from the significant lag autocorrelations of the ranks of the detrended
 * series. Memory samples taken minutes apart are strongly autocorrelated (GC cycles, daily traffic);
 * without this, noise that wanders looks like a significant trend.
 */
export function mannKendallHamedRao(
  ys: readonly number[],
  slopePerIndex: number,
): { s: number; variance: number; z: number; p: number; correction: number } {
  const mk = mannKendall(ys);
  const n = ys.length;
  if (n < 6) return { ...mk, correction: 1 };
  const detrended = ys.map((y, i) => y - slopePerIndex * i);
  const r = ranks(detrended);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += r[i] ?? 0;
  mean /= n;
  let denom = 0;
  for (let i = 0; i < n; i++) denom += ((r[i] ?? 0) - mean) ** 2;
  const bound = 1.96 / Math.sqrt(n);
  let sum = 0;
  if (denom > 0) {
    // Lags up to n/4: beyond that each autocorrelation rests on too few pairs to be worth its cost.
    for (let k = 1; k <= Math.floor(n / 4); k++) {
      let num = 0;
      for (let i = 0; i < n - k; i++) num += ((r[i] ?? 0) - mean) * ((r[i + k] ?? 0) - mean);
      const rho = num / denom;
      if (Math.abs(rho) > bound) sum += (n - k) * (n - k - 1) * (n - k - 2) * rho;
    }
  }
  const correction = Math.max(1, 1 + (2 / (n * (n - 1) * (n - 2))) * sum);
  const variance = mk.variance * correction;
  const z =
    variance <= 0 ? 0 : mk.s > 0 ? (mk.s - 1) / Math.sqrt(variance) : mk.s < 0 ? (mk.s + 1) / Math.sqrt(variance) : 0;
  return { s: mk.s, variance, z, p: 2 * (1 - normalCdf(Math.abs(z))), correction };
}

/** Quantile of values weighted by `weights` (the smallest value whose cumulative weight reaches q). */
export function weightedQuantile(values: readonly number[], weights: readonly number[], q: number): number {
  const idx = values.map((_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (idx.length === 0 || total <= 0) return NaN;
  let acc = 0;
  for (const i of idx) {
    acc += weights[i] ?? 0;
    if (acc >= q * total - 1e-12) return values[i] ?? NaN;
  }
  return values[idx[idx.length - 1] ?? 0] ?? NaN;
}
