/**
 * What could a sizing rule that sees only the past do, if it were tuned in hindsight on the very traces
 * it is judged on? Rules: the limit for tomorrow = m × the highest daily peak of the last k days. For
 * each trace the best rule is picked afterwards (the "oracle of the past"), under a budget of OOM-days
 * for the whole table: a lower bound on the slack of any method of that kind, and a generous one, since
 * no real method knows which rule suits which trace.
 */
import type { Sample } from "../src/core/model.ts";

const DAY = 86_400;
const GiB = 2 ** 30;
export const LOOKBACK_DAYS = [1, 2, 3, 7, 14];
export const FACTORS = Array.from({ length: 41 }, (_, i) => 1 + i * 0.015);

export interface Replayable {
  ws: readonly Sample[];
  start: number;
  days: number;
  step: number;
}

interface Outcome {
  oomDays: number;
  slack: number;
  rule: string;
}

interface Rule {
  k: number;
  m: number;
}
const RULES: readonly Rule[] = LOOKBACK_DAYS.flatMap((k) => FACTORS.map((m) => ({ k, m })));

/** A trace cut into days: each day's peak, and what a limit there would cost (OOM, GiB-hours of slack). */
function daysOf(tr: Replayable) {
  const days: number[][] = Array.from({ length: tr.days }, () => []);
  for (const s of tr.ws) {
    const d = Math.floor((s.t - tr.start) / DAY);
    if (d >= 0 && d < tr.days) days[d]!.push(s.v);
  }
  const peaks = days.map((d) => (d.length ? Math.max(...d) : NaN));
  // sorted values and prefix sums: the slack of any limit on a day in O(log n)
  const sorted = days.map((d) => Float64Array.from(d).sort());
  const prefix = sorted.map((d) => {
    const p = new Float64Array(d.length + 1);
    d.forEach((v, i) => (p[i + 1] = p[i]! + v));
    return p;
  });
  const slackOn = (d: number, limit: number): number => {
    const v = sorted[d]!;
    let lo = 0,
      hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid]! < limit) lo = mid + 1;
      else hi = mid;
    }
    return ((lo * limit - prefix[d]![lo]!) * tr.step) / 3600 / GiB;
  };
  /** the rule's limit for day d from the peaks before it, NaN when it has none */
  const limitOn = (d: number, r: Rule): number => {
    let peak = -Infinity;
    for (let j = Math.max(0, d - r.k); j < d; j++) if (Number.isFinite(peaks[j]!)) peak = Math.max(peak, peaks[j]!);
    return Number.isFinite(peak) ? r.m * peak : NaN;
  };
  const usable = (d: number) => days[d]!.length > 0;
  return { peaks, slackOn, limitOn, usable };
}

interface RuleDay {
  limit: number;
  oom: boolean;
  slack: number;
}

const ruled = new WeakMap<Replayable, { t: ReturnType<typeof daysOf>; table: (RuleDay | null)[][] }>();
/**
 * Every rule's limit on every day of a trace and what it cost, replayed from day 1 (null where the day has
 * no samples or the rule no past peak) — worked out once per trace for all that is asked of it.
 */
function ruleDays(tr: Replayable) {
  let r = ruled.get(tr);
  if (!r) {
    const t = daysOf(tr);
    const table = RULES.map((rule) =>
      Array.from({ length: tr.days }, (_, d): RuleDay | null => {
        const limit = d >= 1 && t.usable(d) ? t.limitOn(d, rule) : NaN;
        return Number.isNaN(limit) ? null : { limit, oom: t.peaks[d]! > limit, slack: t.slackOn(d, limit) };
      }),
    );
    ruled.set(tr, (r = { t, table }));
  }
  return r;
}

/** Each rule's OOM-days and GiB-hours of slack on one trace, replayed from day 1. */
function outcomes(tr: Replayable): Outcome[] {
  return ruleDays(tr).table.map((days, i) => {
    let oomDays = 0,
      slack = 0;
    for (const day of days)
      if (day) {
        oomDays += day.oom ? 1 : 0;
        slack += day.slack;
      }
    return { oomDays, slack, rule: `${RULES[i]!.m.toFixed(3)} × max of ${RULES[i]!.k} d` };
  });
}

/**
 * A rule of that kind chosen from the past alone: each day, the rule that would have done best on the
 * trace's own days so far (fewest OOM-days, then least slack) sets tomorrow's limit — what a method could
 * do that tunes itself per workload without knowing its future — times a safety margin on top.
 */
export function pastChosen(set: readonly Replayable[], margin = 1): { oomDays: number; slack: number } {
  let oomDays = 0,
    slack = 0;
  for (const tr of set) {
    const { t, table } = ruleDays(tr);
    const score = RULES.map(() => ({ oomDays: 0, slack: 0 }));
    for (let d = 1; d < tr.days; d++) {
      if (!t.usable(d)) continue;
      // the rule with the best record on days 1 … d−1 (the first day: the most cautious rule)
      let best = RULES.length - 1;
      score.forEach((s, i) => {
        const b = score[best]!;
        if (s.oomDays < b.oomDays || (s.oomDays === b.oomDays && s.slack < b.slack)) best = i;
      });
      const chosen = table[best]![d];
      if (chosen) {
        const limit = margin * chosen.limit;
        if (t.peaks[d]! > limit) oomDays++;
        slack += t.slackOn(d, limit);
      }
      // then day d joins every rule's record
      table.forEach((days, i) => {
        const day = days[d];
        if (!day) return;
        if (day.oom) score[i]!.oomDays++;
        score[i]!.slack += day.slack;
      });
    }
  }
  return { oomDays, slack };
}

/**
 * The least total slack with at most `budget` OOM-days, choosing one rule per trace: a knapsack over
 * OOM-days. Also the best single rule for all traces at the same budget.
 */
export function pastOnlyBound(
  set: readonly Replayable[],
  budget: number,
): { perTrace: number; single: { slack: number; oomDays: number; rule: string } | null } {
  const all = set.map(outcomes);
  // best[b]: least slack over the traces so far with b OOM-days in all
  let best = new Array<number>(budget + 1).fill(Infinity);
  best[0] = 0;
  for (const options of all) {
    const next = new Array<number>(budget + 1).fill(Infinity);
    for (let b = 0; b <= budget; b++) {
      if (!Number.isFinite(best[b]!)) continue;
      for (const o of options)
        if (b + o.oomDays <= budget) next[b + o.oomDays] = Math.min(next[b + o.oomDays]!, best[b]! + o.slack);
    }
    best = next;
  }
  let single: { slack: number; oomDays: number; rule: string } | null = null;
  for (let r = 0; r < (all[0]?.length ?? 0); r++) {
    const oomDays = all.reduce((a, o) => a + o[r]!.oomDays, 0);
    const slack = all.reduce((a, o) => a + o[r]!.slack, 0);
    if (oomDays <= budget && (!single || slack < single.slack)) single = { slack, oomDays, rule: all[0]![r]!.rule };
  }
  return { perTrace: Math.min(...best), single };
}

export const PAST_CHOSEN_MARGINS = [1, 1.05, 1.1, 1.2, 1.3, 1.5];

/** The rule each trace picks from its own past, at the margin with the least slack within the budget (else the fewest OOM-days). */
export function bestPastChosen(
  set: readonly Replayable[],
  budget: number,
): { oomDays: number; slack: number; margin: number } {
  const runs = PAST_CHOSEN_MARGINS.map((margin) => ({ margin, ...pastChosen(set, margin) }));
  const within = runs.filter((r) => r.oomDays <= budget).sort((a, b) => a.slack - b.slack);
  return within[0] ?? runs.sort((a, b) => a.oomDays - b.oomDays)[0]!;
}
