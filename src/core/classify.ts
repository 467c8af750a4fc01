import { formatDuration } from "./duration.ts";
import type { Sample } from "./model.ts";
import { formatBytes } from "./quantity.ts";
import { resampleMax, segmentAtRestarts } from "./series.ts";
import { mad, mannKendall, median, ols, quantile, theilSen } from "./stats.ts";

export type MemoryClass = "leak" | "oom-cycle" | "spike" | "limit-too-low" | "stable";

export interface TrendInput {
  /** working-set samples, Unix seconds */
  series: readonly Sample[];
  limitBytes: number | null;
  /** restart counter samples, if known */
  restarts?: readonly Sample[];
  /** OOM kills known from the pod status or events within the window */
  oomKills?: number;
  now: number;
}

export interface TrendAnalysis {
  classification: MemoryClass;
  /** warm-up followed by a plateau: explicitly not a leak */
  plateau: boolean;
  /** for spikes: whether memory came back down */
  recovered: boolean | null;
  confidence: number;
  evidence: string;
  slopeBytesPerHour: number;
  r2: number;
  currentBytes: number;
  peakBytes: number;
  timeToLimitSeconds: number | null;
  /** [soonest, latest]; latest null when the slope's interval reaches zero */
  timeToLimitRange: [number, number | null] | null;
  points: number;
}

const HOUR = 3600;
const mib = (bytesPerHour: number) => `${formatBytes(bytesPerHour)}/h`;

interface Fit {
  slopePerHour: number;
  lowPerHour: number;
  highPerHour: number;
  intercept: number;
  r2: number;
  p: number;
  tailSlopePerHour: number;
  start: number;
  end: number;
}

function fit(seg: readonly Sample[]): Fit {
  const t0 = seg[0]?.t ?? 0;
  const xs = seg.map((s) => (s.t - t0) / HOUR);
  const ys = seg.map((s) => s.v);
  const ts = theilSen(xs, ys);
  const tailFrom = Math.floor(seg.length * 0.75);
  const tail = tailFrom < seg.length - 2 ? theilSen(xs.slice(tailFrom), ys.slice(tailFrom)).slope : ts.slope;
  return {
    slopePerHour: ts.slope, lowPerHour: ts.low, highPerHour: ts.high, intercept: ts.intercept,
    r2: ols(xs, ys).r2, p: mannKendall(ys).p, tailSlopePerHour: tail,
    start: t0, end: seg[seg.length - 1]?.t ?? t0,
  };
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
const pct = (x: number) => `${Math.round(x * 100)}%`;

function base(series: readonly Sample[]): Pick<TrendAnalysis, "currentBytes" | "peakBytes" | "points"> {
  return {
    currentBytes: series[series.length - 1]?.v ?? 0,
    peakBytes: series.reduce((m, s) => Math.max(m, s.v), 0),
    points: series.length,
  };
}

/** A first classification of one container's memory over the window (see memory-analysis.md). */
export function classify(input: TrendInput): TrendAnalysis {
  const span = (input.series[input.series.length - 1]?.t ?? 0) - (input.series[0]?.t ?? 0);
  // 1-minute maxima for short windows, 5-minute maxima up to a day, coarser beyond: at most ~300 points.
  const step = span <= 2 * HOUR ? 60 : Math.max(300, Math.ceil(span / 288 / 60) * 60);
  const s = resampleMax(input.series, step);
  const limit = input.limitBytes;
  const common = base(s);
  const none = { plateau: false, recovered: null, timeToLimitSeconds: null, timeToLimitRange: null } as const;
  if (s.length < 6) {
    return { ...common, ...none, classification: "stable", confidence: 0.1, slopeBytesPerHour: 0, r2: 0,
      evidence: `only ${s.length} samples in the window: too little data to tell a trend` };
  }

  const segments = segmentAtRestarts(s, input.restarts);
  const current = segments[segments.length - 1] ?? s;
  const completed = segments.slice(0, -1);
  const nearLimit = limit ? completed.filter((seg) => Math.max(...seg.map((p) => p.v)) >= 0.95 * limit).length : 0;
  const oomEnds = Math.max(nearLimit, Math.min(input.oomKills ?? 0, completed.length));

  if (oomEnds >= 2) {
    const lengths = completed.map((seg) => (seg[seg.length - 1]?.t ?? 0) - (seg[0]?.t ?? 0) + step);
    const typical = median(lengths);
    const age = input.now - (current[0]?.t ?? input.now);
    const ttl = Math.max(0, typical - age);
    const f = fit(current);
    return { ...common, classification: "oom-cycle", plateau: false, recovered: null,
      confidence: clamp01(0.55 + 0.1 * oomEnds),
      evidence: `${oomEnds} restarts after reaching the limit in the window; a cycle lasts about ${formatDuration(typical)}, the current one is ${formatDuration(age)} old`,
      slopeBytesPerHour: f.slopePerHour, r2: f.r2,
      timeToLimitSeconds: ttl, timeToLimitRange: [Math.max(0, quantile(lengths, 0.1) - age), Math.max(0, quantile(lengths, 0.9) - age)] };
  }

  const longest = segments.reduce((a, b) => ((b[b.length - 1]?.t ?? 0) - (b[0]?.t ?? 0) > (a[a.length - 1]?.t ?? 0) - (a[0]?.t ?? 0) ? b : a));
  const f = fit(longest);
  const cur = longest === current ? f : fit(current);
  const p99 = quantile(current.map((p) => p.v), 0.99);
  const growing = f.p < 0.01 && f.slopePerHour > 0;
  const stillGrowing = f.tailSlopePerHour >= 0.3 * f.slopePerHour;

  if (limit && p99 >= 0.9 * limit && (!growing || !stillGrowing)) {
    return { ...common, ...none, classification: "limit-too-low", confidence: clamp01(0.5 + (p99 / limit - 0.9) * 5),
      evidence: `sits at ${pct(p99 / limit)} of its ${formatBytes(limit)} limit (p99 ${formatBytes(p99)}) without a growing trend`,
      slopeBytesPerHour: cur.slopePerHour, r2: cur.r2 };
  }

  const longestDuration = f.end - f.start;
  const growthPerDay = f.slopePerHour * 24;
  const bigEnough = limit ? growthPerDay >= 0.05 * limit : growthPerDay >= 0.05 * Math.max(median(longest.map((p) => p.v)), 1);
  if (growing && stillGrowing && bigEnough && longestDuration >= Math.max(span / 3, HOUR) && longest.length >= 10) {
    const nowTrend = cur.intercept + cur.slopePerHour * ((input.now - cur.start) / HOUR);
    const headroom = limit ? limit - Math.max(nowTrend, common.currentBytes) : null;
    const perSecond = (perHour: number) => perHour / HOUR;
    const ttl = headroom !== null && cur.slopePerHour > 0 ? Math.max(0, headroom / perSecond(cur.slopePerHour)) : null;
    const range: [number, number | null] | null = ttl === null || headroom === null ? null : [
      Math.max(0, headroom / perSecond(Math.max(cur.highPerHour, cur.slopePerHour))),
      cur.lowPerHour > 0 ? headroom / perSecond(cur.lowPerHour) : null,
    ];
    return { ...common, classification: "leak", plateau: false, recovered: null,
      confidence: clamp01(0.4 + 0.6 * f.r2 - (f.p > 0.001 ? 0.1 : 0)),
      evidence: `grew ${mib(f.slopePerHour)} for ${formatDuration(longestDuration)}, R² ${f.r2.toFixed(2)}, still growing in the last quarter (${mib(f.tailSlopePerHour)})`,
      slopeBytesPerHour: f.slopePerHour, r2: f.r2, timeToLimitSeconds: ttl, timeToLimitRange: range };
  }

  const residuals = current.map((p) => p.v - (cur.intercept + cur.slopePerHour * ((p.t - cur.start) / HOUR)));
  const level = median(current.map((p) => p.v));
  const spread = Math.max(mad(residuals), 0.01 * level);
  const threshold = median(residuals) + 6 * spread;
  const spikes = residuals.filter((r) => r > threshold).length;
  if (spikes > 0 && spikes <= Math.max(1, 0.1 * current.length)) {
    const last = residuals[residuals.length - 1] ?? 0;
    const recovered = last <= threshold;
    return { ...common, ...none, classification: "spike", recovered, confidence: clamp01(0.5 + 0.05 * Math.min(spikes, 6)),
      evidence: `${spikes} short excursion${spikes > 1 ? "s" : ""} to ${formatBytes(common.peakBytes)} above a level of ${formatBytes(level)}; ${recovered ? "it came back down" : "it has not come back down"}`,
      slopeBytesPerHour: cur.slopePerHour, r2: cur.r2 };
  }

  const half = Math.floor(current.length / 2);
  const early = half >= 6 ? fit(current.slice(0, half)) : undefined;
  const plateau = !!early && early.p < 0.01 && early.slopePerHour > 0 &&
    early.slopePerHour * ((early.end - early.start) / HOUR) >= 0.1 * level && cur.tailSlopePerHour < 0.3 * early.slopePerHour;
  return { ...common, ...none, classification: "stable", plateau,
    confidence: clamp01(plateau ? 0.6 + 0.3 * (1 - Math.abs(cur.tailSlopePerHour) / early.slopePerHour) : 0.5 + 0.5 * (1 - Math.min(1, f.r2))),
    evidence: plateau
      ? `warm-up then plateau: grew ${mib(early.slopePerHour)} early on, flat (${mib(cur.tailSlopePerHour)}) in the last quarter — not a leak`
      : `no significant trend (${mib(f.slopePerHour)}, Mann–Kendall p ${f.p.toFixed(2)})${limit ? `; at ${pct(common.currentBytes / limit)} of the limit` : ""}`,
    slopeBytesPerHour: f.slopePerHour, r2: f.r2 };
}
