/**
 * npm run bench:analysis — how right the analysis is on the labelled scenario library (precision and
 * recall per class, plateau and recovery flags, time-to-limit error), and how fast it is on 10,000
 * series of 2,016 points. Prints Markdown; exits 1 when a target is missed.
 */
import { cpus } from "node:os";
import { analyzeTrace } from "../src/core/analyze.ts";
import { MEMORY_CLASSES, type MemoryClass } from "../src/core/classify.ts";
import { median } from "../src/core/stats.ts";
import type { Trace } from "../src/core/trace-file.ts";
import { DAY, gauss, MiB, rng } from "../test/scenarios/generators.ts";
import { scenarioLibrary } from "../test/scenarios/library.ts";
import { loadBitbrains } from "./bitbrains.ts";

const perFamily = Number(process.env["BENCH_PER_FAMILY"] ?? 40);
const speedSeries = Number(process.env["BENCH_SPEED_SERIES"] ?? 10_000);
const verbose = process.argv.includes("--verbose");

const library = scenarioLibrary(perFamily);
const confusion = new Map<string, number>();
const misses: string[] = [];
let plateauRight = 0,
  plateauTotal = 0,
  recoveredRight = 0,
  recoveredTotal = 0;
const errors: number[] = [];
let forecastMissing = 0;
/** issue 14: does the time-to-limit range hold the true crossing, and are confident verdicts right? */
const coverage = { inside: 0, total: 0 };
const confident = { right: 0, total: 0 };
for (const s of library) {
  const out = analyzeTrace(s.trace, {
    limitBytes: s.limitBytes,
    requestBytes: s.requestBytes,
    maxFactor: 2,
    now: s.now,
  });
  const key = `${s.label.classification}→${out.classification}`;
  confusion.set(key, (confusion.get(key) ?? 0) + 1);
  if (out.classification !== s.label.classification) misses.push(`${s.name}: ${out.classification} — ${out.evidence}`);
  if (out.confidence >= 0.9) {
    confident.total++;
    if (out.classification === s.label.classification) confident.right++;
  }
  if (s.truthTimeToLimit !== null && s.label.classification === "leak") {
    coverage.total++;
    const range = out.timeToLimitRange;
    if (range && s.truthTimeToLimit >= range[0] && (range[1] === null || s.truthTimeToLimit <= range[1]))
      coverage.inside++;
    else if (verbose)
      misses.push(`${s.name}: truth ${(s.truthTimeToLimit / 3600).toFixed(1)}h outside ${JSON.stringify(range)}`);
  }
  if (s.label.classification === "stable" && out.classification === "stable") {
    plateauTotal++;
    if (out.plateau === s.label.plateau) plateauRight++;
    else misses.push(`${s.name}: plateau ${out.plateau} — ${out.evidence}`);
  }
  if (s.label.recovered !== undefined && out.classification === "spike") {
    recoveredTotal++;
    if (out.recovered === s.label.recovered) recoveredRight++;
    else misses.push(`${s.name}: recovered ${out.recovered}`);
  }
  if (s.truthTimeToLimit !== null && out.classification === "leak") {
    if (out.timeToLimitSeconds === null) forecastMissing++;
    else {
      errors.push(Math.abs(out.timeToLimitSeconds - s.truthTimeToLimit) / s.truthTimeToLimit);
      if (verbose)
        misses.push(
          `${s.name}: forecast ${(out.timeToLimitSeconds / 3600).toFixed(1)}h truth ${(s.truthTimeToLimit / 3600).toFixed(1)}h`,
        );
    }
  }
}

// issue 14: the same range on data nobody generated. Each Bitbrains VM's 3-day windows ending at each
// midnight, with a limit set below what comes next (1.1× and 1.25× the window's own peak); the truth is
// the first later sample at or above that limit. A range given for a limit never reached before the data
// ends is a false alarm when its far end falls inside the data, else undecided (censored).
const real = { windows: 0, given: 0, leaks: 0, inside: 0, total: 0, leakInside: 0, leakTotal: 0, falseAlarms: 0 };
const soon = { crossed: 0, warned: 0 };
for (const vm of loadBitbrains()) {
  const ws = vm.workingSet;
  const last = ws.at(-1)!.t;
  for (let now = Math.ceil(ws[0]!.t / DAY) * DAY + 3 * DAY; now <= last - DAY; now += DAY) {
    const win = ws.filter((x) => x.t > now - 3 * DAY && x.t <= now);
    const peak = Math.max(...win.map((x) => x.v));
    for (const factor of [1.1, 1.25]) {
      const limit = peak * factor;
      const out = analyzeTrace(
        { workingSet: win, rss: [], restarts: [], oomAt: [] },
        { limitBytes: limit, requestBytes: null, maxFactor: 2, now },
      );
      const crossing = ws.find((x) => x.t > now && x.v >= limit);
      const truth = crossing ? crossing.t - now : null;
      const range = out.timeToLimitRange;
      real.windows++;
      if (truth !== null && truth <= DAY) {
        soon.crossed++;
        if (range && range[0] <= DAY) soon.warned++;
      }
      if (!range) continue;
      real.given++;
      const leak = out.classification === "leak";
      if (leak) real.leaks++;
      const far = range[1];
      if (truth === null) {
        if (far === null || far >= last - now) continue; // undecided: the data ends inside the range
        real.falseAlarms++;
      }
      const hit = truth !== null && truth >= range[0] && (far === null || truth <= far);
      real.total++;
      if (hit) real.inside++;
      if (leak) {
        real.leakTotal++;
        if (hit) real.leakInside++;
      }
    }
  }
}

const count = (f: (label: string, got: string) => boolean) =>
  [...confusion].reduce((a, [k, n]) => {
    const [l, g] = k.split("→");
    return a + (f(l ?? "", g ?? "") ? n : 0);
  }, 0);
const rows = MEMORY_CLASSES.map((c: MemoryClass) => {
  const tp = count((l, g) => l === c && g === c);
  const predicted = count((_l, g) => g === c);
  const actual = count((l) => l === c);
  return { c, precision: predicted ? tp / predicted : 1, recall: actual ? tp / actual : 1, actual };
});
const medianError = errors.length ? median(errors) : NaN;

// Speed: 10,000 containers × 2,016 points (7 days of 5-minute samples), classified, forecast and sized.
const r = rng(7);
const traces: Trace[] = Array.from({ length: Math.min(speedSeries, 200) }, (_, k) => {
  const level = (200 + 300 * r()) * MiB,
    slope = k % 3 === 0 ? 2 * MiB * r() : 0;
  const workingSet = Array.from({ length: 2016 }, (_, i) => ({
    t: 1_790_000_000 - (2015 - i) * 300,
    v: level + slope * (i / 12) + gauss(r) * 5 * MiB,
  }));
  return { workingSet, rss: [], restarts: [], oomAt: [] };
});
// Three timed passes (this VM's run-to-run noise is ±20%); the target is judged on their median.
const passes = [0, 1, 2].map(() => {
  const t0 = performance.now();
  for (let i = 0; i < speedSeries; i++)
    analyzeTrace(traces[i % traces.length] as Trace, { limitBytes: 1024 * MiB, requestBytes: 512 * MiB, maxFactor: 2 });
  return performance.now() - t0;
});
const speedMs = median(passes);

const lean = speedMs < 1000;
const pass = rows.every((x) => x.precision >= 0.9 && x.recall >= 0.9) && medianError <= 0.15 && speedMs < 2000;
const share = (a: number, b: number) => (b ? a / b : NaN);
const pct = (a: number, b: number) => `${(100 * share(a, b)).toFixed(0)}%`;
const honest = share(coverage.inside, coverage.total) >= 0.9 && share(confident.right, confident.total) >= 0.9;
const f = (x: number) => x.toFixed(2);
console.log(`## \`npm run bench:analysis\`

${library.length} labelled scenarios (${perFamily} per family, test/scenarios/library.ts), on ${cpus()[0]?.model ?? "?"}, Node ${process.version}.

| class | scenarios | precision | recall |
|---|---|---|---|
${rows.map((x) => `| ${x.c} | ${x.actual} | ${f(x.precision)} | ${f(x.recall)} |`).join("\n")}

- plateau flag right on ${plateauRight}/${plateauTotal} stable scenarios; spike recovery right on ${recoveredRight}/${recoveredTotal}
- time to limit on leaks: median relative error ${(medianError * 100).toFixed(1)}% over ${errors.length} forecasts${forecastMissing ? ` (${forecastMissing} leaks without one)` : ""}
- speed: ${speedSeries.toLocaleString("en")} series × 2,016 points classified, forecast and sized in ${speedMs.toFixed(0)} ms on one core, median of three passes (${passes.map((x) => x.toFixed(0)).join(", ")} ms; target < 2,000 ms)

Targets (issue 6): precision and recall ≥ 0.90 on every class, median forecast error ≤ 15%, speed < 2 s: **${pass ? "met" : "NOT met"}**.

Speed (issue 13): < 1,000 ms for the ${speedSeries.toLocaleString("en")} series on this machine: **${lean ? "met" : "NOT met"}** (${speedMs.toFixed(0)} ms).

Honest uncertainty (issue 14): the time-to-limit range holds the true crossing in ${coverage.inside} of ${coverage.total} leaks (**${pct(coverage.inside, coverage.total)}**, target ≥ 90%); verdicts given with confidence ≥ 0.9 are right ${confident.right} of ${confident.total} times (**${pct(confident.right, confident.total)}**, target ≥ 90%): **${honest ? "met" : "NOT met"}**.`);
console.log(`
On the real Bitbrains VMs (../shared/data, 3-day windows ending at each midnight, a limit at 1.1× and 1.25× the window's peak; ${real.windows} windows): a time-to-limit range was given in ${real.given} (${real.leaks} of them leaks); it held the first crossing in ${real.inside} of ${real.total} decidable cases (**${pct(real.inside, real.total)}**; leaks ${real.leakInside} of ${real.leakTotal}, ${pct(real.leakInside, real.leakTotal)}), ${real.falseAlarms} of them false alarms (a range ending inside the data, the limit never reached). Of ${soon.crossed} windows whose limit was crossed within 24 h, ${soon.warned} had a range starting within 24 h (${pct(soon.warned, soon.crossed)}): most real crossings are bursts no trend foretells.`);
if (misses.length) console.error(`\nMisclassified or flagged wrong (${misses.length}):\n${misses.join("\n")}`);
process.exitCode = pass && honest && lean ? 0 : 1;
