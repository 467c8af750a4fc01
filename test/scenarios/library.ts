/**
 * The labelled scenario library: each scenario is one container's window with the verdict a careful SRE
 * would give it. Generated from a seed, with noise, GC sawtooth, daily seasonality, deploy steps and
 * restarts, so `npm run bench:analysis` measures the analysis on cases it was not written against.
 */
import type { MemoryClass } from "../../src/core/classify.ts";
import type { Trace } from "../../src/core/trace-file.ts";
import { between, DAY, H, MiB, MIN, pick, type Process, rng, sample, texture } from "./generators.ts";

export interface Scenario {
  name: string;
  label: { classification: MemoryClass; plateau: boolean; recovered?: boolean };
  trace: Trace;
  limitBytes: number;
  requestBytes: number;
  now: number;
  /** leaks: seconds from `now` until the working set first reached the limit */
  truthTimeToLimit: number | null;
}

const END = 1_790_000_000;
const WINDOWS = [12 * H, DAY, 3 * DAY, 7 * DAY];
const LIMITS = [256, 512, 1024, 2048, 4096].map((m) => m * MiB);

interface Spec {
  family: string;
  /** the windows this family is realistic in (default: all) */
  windows?: readonly number[];
  label: Scenario["label"];
  build(
    r: () => number,
    window: number,
    limit: number,
  ): {
    process: Process;
    daily?: boolean;
    counters?: boolean;
    oomFlags?: boolean;
    lookAhead?: boolean;
    level: number;
    /** the limit raised mid-window */
    raise?: { at: number; to: number };
  };
}

const stepFor = (window: number) => (window <= DAY ? MIN : 5 * MIN);

const SPECS: Spec[] = [
  {
    family: "leak-slow",
    label: { classification: "leak", plateau: false },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.25, 0.4);
      // 8–20% of the limit a day, but never reaching it inside the window
      const perDay = Math.min(limit * between(r, 0.08, 0.2), ((0.8 * limit - level) / window) * DAY);
      return {
        level,
        lookAhead: true,
        daily: window >= 3 * DAY && r() < 0.5,
        process: { need: (s) => level + (perDay * s) / DAY },
      };
    },
  },
  {
    family: "leak-fast",
    label: { classification: "leak", plateau: false },
    windows: [12 * H, DAY],
    build: (r, window, limit) => {
      const level = limit * between(r, 0.2, 0.35);
      const perDay = ((between(r, 0.5, 0.75) * limit - level) / window) * DAY;
      return { level, lookAhead: true, process: { need: (s) => level + (perDay * s) / DAY } };
    },
  },
  {
    family: "leak-after-deploy",
    label: { classification: "leak", plateau: false },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.2, 0.3);
      const perDay = ((between(r, 0.55, 0.7) * limit - level) / (0.7 * window)) * DAY;
      return {
        level,
        lookAhead: true,
        process: { need: (s) => level + (perDay * s) / DAY, restartsAt: [END - window * between(r, 0.7, 0.75)] },
      };
    },
  },
  {
    family: "oom-cycle",
    label: { classification: "oom-cycle", plateau: false },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.2, 0.4);
      const cycle = Math.min(window / between(r, 3, 8), between(r, 1, 10) * H);
      return {
        level,
        counters: r() < 0.7,
        oomFlags: r() < 0.7,
        process: { need: (s) => level + ((limit - level) * 1.02 * s) / cycle },
      };
    },
  },
  {
    family: "spike-recovered",
    label: { classification: "spike", plateau: false, recovered: true },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.25, 0.45);
      const n = pick(r, [1, 1, 2, 3]);
      const spikes = Array.from({ length: n }, () => ({
        at: END - window * between(r, 0.1, 0.85),
        len: between(r, 5, 30) * MIN,
        h: level * between(r, 0.5, 1.2),
      }));
      return {
        level,
        daily: window >= 3 * DAY && r() < 0.3,
        process: { need: (_s, t) => level + spikes.reduce((a, k) => a + (t >= k.at && t < k.at + k.len ? k.h : 0), 0) },
      };
    },
  },
  {
    family: "spike-ongoing",
    label: { classification: "spike", plateau: false, recovered: false },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.25, 0.45);
      const at = END - between(r, 2, 4) * stepFor(window) * (window <= DAY ? 5 : 1);
      const h = level * between(r, 0.5, 1.1);
      return { level, process: { need: (_s, t) => level + (t >= at ? h : 0) } };
    },
  },
  {
    family: "limit-too-low",
    label: { classification: "limit-too-low", plateau: false },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.6, 0.8);
      const rise = window * between(r, 0.02, 0.15);
      return {
        level,
        process: {
          need: (s) => level + (limit * 1.3 - level) * Math.min(1, s / rise),
          saturateAt: limit * between(r, 0.93, 0.985),
        },
      };
    },
  },
  {
    family: "stable-noise",
    label: { classification: "stable", plateau: false },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.2, 0.6);
      return { level, daily: window >= 3 * DAY || r() < 0.3, process: { need: () => level } };
    },
  },
  {
    family: "stable-deploy-step",
    label: { classification: "stable", plateau: false },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.25, 0.5);
      const at = END - window * between(r, 0.3, 0.7);
      const delta = level * pick(r, [-0.3, -0.15, 0.15, 0.3]);
      return { level, process: { need: (_s, t) => level + (t >= at ? delta : 0), restartsAt: [at] } };
    },
  },
  {
    family: "stable-warmup-plateau",
    label: { classification: "stable", plateau: true },
    build: (r, window, limit) => {
      const level = limit * between(r, 0.15, 0.3);
      const gain = limit * between(r, 0.2, 0.35);
      const tau = window * between(r, 0.04, 0.1);
      return {
        level,
        process: {
          need: (s) => level + gain * (1 - Math.exp(-s / tau)),
          restartsAt: [END - window * between(r, 0.85, 0.95)],
        },
      };
    },
  },
  {
    // issue 14: a slow leak, 2% of the limit a day for two weeks (Coroot's users: short windows miss it)
    family: "leak-slow-two-weeks",
    label: { classification: "leak", plateau: false },
    windows: [14 * DAY],
    build: (r, _window, limit) => {
      const level = limit * between(r, 0.25, 0.4);
      return { level, lookAhead: true, daily: r() < 0.5, process: { need: (s) => level + (0.02 * limit * s) / DAY } };
    },
  },
  {
    // issue 14: a JVM-like heap, collected every 20–60 minutes between ~60% and ~90% of its high-water
    // mark, that never reaches its limit: the sawtooth is not a leak, nor an OOM cycle
    family: "stable-gc-sawtooth",
    label: { classification: "stable", plateau: false },
    build: (r, _window, limit) => {
      const high = limit * between(r, 0.45, 0.7);
      const period = between(r, 20, 60) * MIN;
      return { level: high, process: { need: (_s, t) => high * (0.6 + (0.3 * (t % period)) / period) } };
    },
  },
  {
    // issue 14: an OOM cycle fixed by a raise mid-window: an OOM cycle before the change (judged by the
    // limit in force then), and judged on its own after it (no cycle forecast under the new limit)
    family: "oom-cycle-raised",
    label: { classification: "oom-cycle", plateau: false },
    windows: [DAY, 3 * DAY, 7 * DAY],
    build: (r, window, limit) => {
      const level = limit * between(r, 0.2, 0.4);
      const at = END - window * between(r, 0.25, 0.45);
      const cycle = Math.min((at - (END - window)) / between(r, 3, 6), between(r, 1, 10) * H);
      // what it really needs: a little above the old limit, well under the new one
      const need = limit + (limit - level) * between(r, 0.1, 0.3);
      return {
        level,
        raise: { at, to: limit * 2 },
        process: { need: (s) => Math.min(need, level + ((limit - level) * 1.02 * s) / cycle) },
      };
    },
  },
];

/** `perFamily` scenarios of each family, deterministic for a given seed. */
export function scenarioLibrary(perFamily = 24, seed = 20261121): Scenario[] {
  const out: Scenario[] = [];
  SPECS.forEach((spec, f) => {
    for (let i = 0; i < perFamily; i++) {
      const r = rng(seed + f * 1000 + i);
      const windows = spec.windows ?? WINDOWS;
      const window = windows[i % windows.length] ?? DAY;
      const limit = pick(r, LIMITS);
      const built = spec.build(r, window, limit);
      // half a daily cycle looks like growth to anyone: daily traffic only in windows of a day or more
      const tex = texture(r, built.level, { daily: built.daily === true && window >= DAY });
      const step = stepFor(window);
      const sampled = sample(built.process, tex, {
        start: END - window,
        end: END,
        step,
        limit,
        seed: seed * 7 + f * 1000 + i,
        counters: built.counters,
        oomFlags: built.oomFlags,
        lookAhead: built.lookAhead ? 30 * DAY : undefined,
        raise: built.raise,
      });
      out.push({
        name: `${spec.family}-${i + 1}`,
        label: spec.label,
        trace: sampled.trace,
        limitBytes: built.raise?.to ?? limit,
        requestBytes: Math.round(limit / 2),
        now: END,
        truthTimeToLimit: built.lookAhead && sampled.reachedLimitAt !== null ? sampled.reachedLimitAt - END : null,
      });
    }
  });
  return out;
}
