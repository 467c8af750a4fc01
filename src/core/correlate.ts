/**
 * The metric that grows with memory (issue 16): among a workload's own series, those whose trend follows
 * its working set over the window, ranked by the correlation of their block maxima and reported with the
 * slope ("~1.2Mi per sse_connections_active, r 0.97"). Guards against the spurious match: memory must
 * grow; the candidate must move the same way, through at least four levels; at least `minBlocks` blocks
 * with both; r at or above
 * `minR`; memory's own series (cAdvisor, Go heap, JVM, Node.js) and clocks (CPU seconds, uptime, start
 * time) are not candidates. Nothing rather than noise.
 */
import type { Sample } from "./model.ts";
import { ols } from "./stats.ts";

export interface CandidateSeries {
  /** the metric's name */
  metric: string;
  /** its other labels, "{le="0.5"}" or "" */
  labels: string;
  points: readonly Sample[];
}

export interface Follower {
  metric: string;
  labels: string;
  /** Pearson's r of the block maxima */
  r: number;
  /** r of what is left after each series' own linear trend in time is removed: co-movement beyond a shared ramp */
  rDetrended: number;
  /** memory bytes per unit of the metric (least squares of memory on it) */
  bytesPerUnit: number;
  blocks: number;
}

export interface CorrelateOptions {
  blocks: number;
  minBlocks: number;
  minR: number;
  /** memory must grow at least this share from the first block to the last */
  minGrowth: number;
  top: number;
}

export const CORRELATE_DEFAULTS: CorrelateOptions = { blocks: 12, minBlocks: 8, minR: 0.9, minGrowth: 0.05, top: 3 };

/** memory itself, and series that grow with time whatever memory does */
const NOT_A_CAUSE =
  /^(container_|machine_|node_|kube_|kubelet_|go_memstats_|go_gc_|jvm_memory_|jvm_gc_|nodejs_heap|nodejs_external|process_(resident|virtual)_memory|process_cpu_seconds|process_start_time|up$|scrape_)|uptime/;

/** distinct block maxima a candidate needs */
const MIN_LEVELS = 4;

export const isCandidateMetric = (name: string): boolean => !NOT_A_CAUSE.test(name);

/** The highest value in each of `n` equal blocks of [from, to]; null where a block has none. */
export function blockMaxima(points: readonly Sample[], from: number, to: number, n: number): (number | null)[] {
  const out: (number | null)[] = Array.from({ length: n }, () => null);
  const width = (to - from) / n;
  if (!(width > 0)) return out;
  for (const p of points) {
    if (p.t < from || p.t > to || !Number.isFinite(p.v)) continue;
    const i = Math.min(n - 1, Math.floor((p.t - from) / width));
    const cur = out[i];
    out[i] = cur === null || cur === undefined ? p.v : Math.max(cur, p.v);
  }
  return out;
}

const pearson = (xs: readonly number[], ys: readonly number[]) => {
  const f = ols(xs, ys);
  return Math.sign(f.slope) * Math.sqrt(f.r2);
};

const residuals = (xs: readonly number[], ys: readonly number[]) => {
  const f = ols(xs, ys);
  return ys.map((y, i) => y - (f.intercept + f.slope * (xs[i] ?? 0)));
};

export function followers(
  memory: readonly Sample[],
  candidates: readonly CandidateSeries[],
  o: CorrelateOptions = CORRELATE_DEFAULTS,
): Follower[] {
  const first = memory[0],
    last = memory[memory.length - 1];
  if (!first || !last || last.t <= first.t) return [];
  const mem = blockMaxima(memory, first.t, last.t, o.blocks);
  const known = mem.filter((v): v is number => v !== null);
  const start = known[0],
    end = known[known.length - 1];
  if (start === undefined || end === undefined || start <= 0 || (end - start) / start < o.minGrowth) return [];
  const out: Follower[] = [];
  for (const c of candidates) {
    if (!isCandidateMetric(c.metric)) continue;
    const cand = blockMaxima(c.points, first.t, last.t, o.blocks);
    const idx: number[] = [],
      xs: number[] = [],
      ys: number[] = [];
    cand.forEach((v, i) => {
      const m = mem[i];
      if (v !== null && m !== null && m !== undefined) {
        idx.push(i);
        xs.push(v);
        ys.push(m);
      }
    });
    // a series that takes two or three values is a step (a goroutine more), not a trend to follow
    if (xs.length < o.minBlocks || new Set(xs).size < MIN_LEVELS) continue;
    // the same direction over time as memory: up with a growing memory
    if (ols(idx, xs).slope <= 0) continue;
    const r = pearson(xs, ys);
    if (r < o.minR) continue;
    out.push({
      metric: c.metric,
      labels: c.labels,
      r,
      rDetrended: pearson(residuals(idx, xs), residuals(idx, ys)),
      bytesPerUnit: ols(xs, ys).slope,
      blocks: xs.length,
    });
  }
  return out.sort((a, b) => b.r - a.r || b.rDetrended - a.rDetrended).slice(0, o.top);
}
