import { describe, expect, it } from "vitest";
import { analyzeTrace } from "../../../src/core/analyze.ts";
import { MEMORY_CLASSES } from "../../../src/core/classify.ts";
import { formatBytes } from "../../../src/core/quantity.ts";
import { mannKendall, mannKendallHamedRao } from "../../../src/core/stats.ts";
import { rng } from "../../scenarios/generators.ts";
import { scenarioLibrary } from "../../scenarios/library.ts";

describe("the labelled scenario library (a small draw; npm run bench:analysis runs the full one)", () => {
  const library = scenarioLibrary(6, 777);
  const results = library.map((s) => ({
    s,
    out: analyzeTrace(s.trace, { limitBytes: s.limitBytes, requestBytes: s.requestBytes, maxFactor: 2, now: s.now }),
  }));

  it.each(MEMORY_CLASSES)("%s: precision and recall at least 0.9", (c) => {
    const tp = results.filter((r) => r.s.label.classification === c && r.out.classification === c).length;
    const predicted = results.filter((r) => r.out.classification === c).length;
    const actual = results.filter((r) => r.s.label.classification === c).length;
    expect(actual).toBeGreaterThan(0);
    expect(tp / predicted).toBeGreaterThanOrEqual(0.9);
    expect(tp / actual).toBeGreaterThanOrEqual(0.9);
  });

  it("a GC sawtooth that never reaches its limit is stable: not a leak, not an OOM cycle", () => {
    const sawtooth = scenarioLibrary(24, 20261202).filter((s) => s.name.startsWith("stable-gc-sawtooth"));
    expect(sawtooth).toHaveLength(24);
    for (const s of sawtooth)
      expect([
        s.name,
        analyzeTrace(s.trace, { limitBytes: s.limitBytes, requestBytes: s.requestBytes, maxFactor: 2, now: s.now })
          .classification,
      ]).toEqual([s.name, "stable"]);
  });

  it("an OOM cycle whose limit was raised mid-window: oom-cycle before the change, judged on its own after it", () => {
    const raised = scenarioLibrary(24, 20261202).filter((s) => s.name.startsWith("oom-cycle-raised"));
    expect(raised).toHaveLength(24);
    for (const s of raised) {
      const out = analyzeTrace(s.trace, {
        limitBytes: s.limitBytes,
        requestBytes: s.requestBytes,
        maxFactor: 2,
        now: s.now,
      });
      const oldLimit = s.trace.limits![0]!.bytes!;
      expect([s.name, out.classification, out.timeToLimitSeconds]).toEqual([s.name, "oom-cycle", null]);
      expect(out.evidence).toContain(`the limit was raised to ${formatBytes(s.limitBytes)}`);
      expect(out.evidence).toContain(`climbing to the ${formatBytes(oldLimit)} limit`);
      // the kills were under the old limit: nothing pushes the new one up; what it needs since is above the
      // old limit, so a recommendation never goes back down to it
      const since = s.trace.workingSet.filter((x) => x.t >= s.trace.limits![1]!.from).map((x) => x.v);
      expect(out.recommendation.limitBytes).toBeLessThanOrEqual(s.limitBytes);
      expect(out.recommendation.limitBytes).toBeGreaterThan(Math.max(oldLimit, ...since));
    }
  });

  it("warm-ups are stable with plateau true, never leaks; forecasts of leaks land within 25% of the truth", () => {
    for (const r of results.filter((x) => x.s.label.plateau))
      expect(r.out).toMatchObject({ classification: "stable", plateau: true });
    const errors = results
      .filter((r) => r.s.truthTimeToLimit && r.out.timeToLimitSeconds !== null && r.out.classification === "leak")
      .map((r) => Math.abs(r.out.timeToLimitSeconds! - r.s.truthTimeToLimit!) / r.s.truthTimeToLimit!);
    expect(errors.length).toBeGreaterThan(10);
    expect(errors.sort((a, b) => a - b)[Math.floor(errors.length / 2)]).toBeLessThan(0.15);
  });
});

describe("Hamed–Rao", () => {
  it("an autocorrelated random walk is not called a trend as often as plain Mann–Kendall calls it one", () => {
    const r = rng(11);
    let plain = 0,
      corrected = 0;
    for (let k = 0; k < 100; k++) {
      let x = 0;
      const ys = Array.from({ length: 96 }, () => (x = 0.9 * x + (r() - 0.5)));
      if (mannKendall(ys).p < 0.01) plain++;
      if (mannKendallHamedRao(ys, 0).p < 0.01) corrected++;
    }
    expect(corrected).toBeLessThan(plain / 2);
    expect(corrected).toBeLessThanOrEqual(10);
  });
});
