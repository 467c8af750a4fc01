/** Building blocks of synthetic memory traces: seeded, so every run sees the same library. */
import type { Sample } from "../../src/core/model.ts";
import type { Trace } from "../../src/core/trace-file.ts";

export const MIN = 60;
export const H = 3600;
export const DAY = 24 * H;
export const MiB = 2 ** 20;

/** Mulberry32: small, fast, good enough for noise. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const between = (r: () => number, lo: number, hi: number) => lo + (hi - lo) * r();
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
/** Approximately normal (Irwin–Hall of 4 uniforms), mean 0, sd 1. */
export const gauss = (r: () => number) => (r() + r() + r() + r() - 2) * Math.sqrt(3);

/** What memory does apart from the process's own need: noise, GC sawtooth, daily traffic. */
export interface Texture {
  noise: number;
  gcAmplitude: number;
  gcPeriod: number;
  dailyAmplitude: number;
  dailyPhase: number;
}

export function texture(r: () => number, level: number, opts: { daily?: boolean } = {}): Texture {
  return {
    noise: level * between(r, 0.005, 0.03),
    gcAmplitude: r() < 0.5 ? level * between(r, 0.03, 0.12) : 0,
    gcPeriod: between(r, 2 * MIN, 15 * MIN),
    dailyAmplitude: opts.daily ? level * between(r, 0.05, 0.2) : 0,
    dailyPhase: between(r, 0, DAY),
  };
}

export function textureAt(x: Texture, t: number, r: () => number): number {
  const gc = x.gcAmplitude > 0 ? ((t % x.gcPeriod) / x.gcPeriod) * x.gcAmplitude : 0;
  const daily = x.dailyAmplitude > 0 ? (x.dailyAmplitude / 2) * Math.sin((2 * Math.PI * (t + x.dailyPhase)) / DAY) : 0;
  return gc + daily + gauss(r) * x.noise;
}

/**
 * A process: the memory it needs at time t since its last (re)start, and what happens at the limit.
 * `need` returns bytes; the sampler adds texture, restarts it on OOM (or at the given restart times).
 */
export interface Process {
  need(sinceStart: number, t: number): number;
  /** restart times (deploys, crashes) that are not OOM kills */
  restartsAt?: readonly number[];
  /** usage cannot exceed this (the kernel reclaims cache before it): working set hugs the limit */
  saturateAt?: number;
}

export interface Sampled {
  trace: Trace;
  /** first time the working set reached the limit after `end`, when asked to look ahead */
  reachedLimitAt: number | null;
}

/**
 * Samples [start, end] every `step` seconds. An OOM kill happens when usage reaches the limit: the
 * sample shows the peak, the restart counter rises and memory starts over. With `lookAhead`, keeps
 * simulating after `end` (same noise stream) until the limit is first reached, for forecast truth.
 */
export function sample(
  p: Process,
  texture: Texture,
  o: {
    start: number;
    end: number;
    step: number;
    limit: number | null;
    seed: number;
    counters?: boolean;
    oomFlags?: boolean;
    lookAhead?: number;
    /** the limit raised to `to` at `at` (the trace then carries the limit's history) */
    raise?: { at: number; to: number };
  },
): Sampled {
  const r = rng(o.seed);
  const trace: Trace = { workingSet: [], rss: [], restarts: [], oomAt: [] };
  if (o.raise)
    trace.limits = [
      { from: o.start, bytes: o.limit },
      { from: o.raise.at, bytes: o.raise.to },
    ];
  const limitAt = (t: number) => (o.raise && t >= o.raise.at ? o.raise.to : o.limit);
  let startedAt = o.start - between(r, 0, 2 * H);
  let restarts = 0;
  const planned = [...(p.restartsAt ?? [])].sort((a, b) => a - b);
  let reachedLimitAt: number | null = null;
  const cache = between(r, 0.05, 0.2);
  for (let t = o.start; t <= o.end + (o.lookAhead ?? 0); t += o.step) {
    while (planned.length > 0 && (planned[0] ?? Infinity) <= t) {
      startedAt = planned.shift() ?? t;
      restarts++;
    }
    let v = Math.max(1 * MiB, p.need(t - startedAt, t) + textureAt(texture, t, r));
    if (p.saturateAt !== undefined) v = Math.min(v, p.saturateAt * (1 - Math.abs(gauss(r)) * 0.004));
    let oom = false;
    const limit = limitAt(t);
    if (limit !== null && v >= limit) {
      v = limit;
      oom = true;
    }
    if (t > o.end) {
      if (oom) {
        reachedLimitAt = t;
        break;
      }
      continue;
    }
    trace.workingSet.push({ t, v });
    trace.rss.push({ t, v: v * (1 - cache) });
    if (o.counters !== false) trace.restarts.push({ t, v: restarts });
    if (oom) {
      if (o.oomFlags !== false) trace.oomAt.push(t + o.step / 2);
      startedAt = t + o.step / 2;
      restarts++;
    }
  }
  return { trace, reachedLimitAt };
}

/** The trace as CSV, the format `memops analyze` reads. */
export function toCsv(trace: Trace): string {
  const rss = new Map(trace.rss.map((s) => [s.t, s.v]));
  const restarts = new Map(trace.restarts.map((s) => [s.t, s.v]));
  const ooms = new Set(trace.oomAt.map((t) => t));
  const lines = ["timestamp,working_set_bytes,rss_bytes,restarts,oom_killed"];
  let prev: Sample | undefined;
  for (const s of trace.workingSet) {
    const oom = [...ooms].some((t) => t > (prev?.t ?? -Infinity) && t <= s.t);
    lines.push(`${s.t},${Math.round(s.v)},${Math.round(rss.get(s.t) ?? 0)},${restarts.get(s.t) ?? 0},${oom ? 1 : 0}`);
    prev = s;
  }
  return `${lines.join("\n")}\n`;
}
