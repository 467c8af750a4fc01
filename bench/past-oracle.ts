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

/** Each rule's OOM-days and GiB-hours of slack on one trace, replayed from day 1. */
function outcomes(tr: Replayable): Outcome[] {
  const days: Sample[][] = Array.from({ length: tr.days }, () => []);
  for (const s of tr.ws) {
    const d = Math.floor((s.t - tr.start) / DAY);
    if (d >= 0 && d < tr.days) days[d]!.push(s);
  }
  const peaks = days.map((d) => (d.length ? Math.max(...d.map((s) => s.v)) : NaN));
  const out: Outcome[] = [];
  for (const k of LOOKBACK_DAYS)
    for (const m of FACTORS) {
      let oomDays = 0,
        slack = 0;
      for (let d = 1; d < tr.days; d++) {
        if (days[d]!.length === 0) continue;
        const past = peaks.slice(Math.max(0, d - k), d).filter(Number.isFinite);
        if (past.length === 0) continue;
        const limit = m * Math.max(...past);
        if (peaks[d]! > limit) oomDays++;
        for (const s of days[d]!) slack += (Math.max(0, limit - s.v) * tr.step) / 3600 / GiB;
      }
      out.push({ oomDays, slack, rule: `${m.toFixed(3)} × max of ${k} d` });
    }
  return out;
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
