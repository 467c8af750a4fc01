import { describe, expect, it } from "vitest";
import { classify } from "../../../src/core/classify.ts";
import { recommend } from "../../../src/core/recommend.ts";
import { roundUpReadable } from "../../../src/core/quantity.ts";
import { DAY, H, MiB, rng, sample, texture } from "../../scenarios/generators.ts";

const END = 1_790_000_000;
function sized(
  need: (s: number, t: number) => number,
  limit: number,
  o: { window?: number; oomKilled?: boolean; maxFactor?: number; restartsAt?: number[]; ceiling?: number } = {},
) {
  const trace = sample({ need, restartsAt: o.restartsAt }, texture(rng(1), need(0, END)), {
    start: END - (o.window ?? 3 * DAY),
    end: END,
    step: 300,
    limit,
    seed: 2,
  }).trace;
  const analysis = classify({
    series: trace.workingSet,
    limitBytes: limit,
    restarts: trace.restarts,
    oomAt: trace.oomAt,
    now: END,
  });
  return {
    analysis,
    rec: recommend({
      analysis,
      limitBytes: limit,
      requestBytes: limit / 2,
      rss: trace.rss,
      oomKilled: o.oomKilled ?? trace.oomAt.length > 0,
      now: END,
      maxFactor: o.maxFactor ?? 2,
      ceilingBytes: o.ceiling ?? null,
    }),
  };
}

describe("recommend", () => {
  it("a stable container gets a limit close above its decay-weighted peaks, rounded to a readable step", () => {
    const { rec } = sized(() => 400 * MiB, 2048 * MiB);
    expect(rec.limitBytes! / MiB).toBeGreaterThan(420);
    expect(rec.limitBytes! / MiB).toBeLessThan(560);
    expect(rec.limitBytes! % (32 * MiB)).toBe(0);
    expect(rec.requestBytes!).toBeLessThanOrEqual(rec.limitBytes!);
    expect(rec.reason).toMatch(/^decay-weighted daily peaks reach [\d.]+Mi; headroom from their spread$/);
  });

  it("lowered on a day of samples, a limit stays 25% above the peak (tomorrow's may be higher); with three days, close above", () => {
    const { rec: oneDay, analysis } = sized(() => 400 * MiB, 2048 * MiB, { window: DAY });
    expect(oneDay.limitBytes!).toBeGreaterThanOrEqual(1.25 * 400 * MiB);
    expect(oneDay.limitBytes!).toBeLessThanOrEqual(roundUpReadable(1.25 * analysis.peakBytes));
    expect(oneDay.reason).toContain(
      "under two days of samples, so not lowered below 25% above the peak: how much one day's peak differs from the next is not known yet",
    );
    const threeDays = sized(() => 400 * MiB, 2048 * MiB, { window: 3 * DAY }).rec;
    expect(threeDays.limitBytes!).toBeLessThan(oneDay.limitBytes!);
    expect(threeDays.reason).not.toContain("under two days");
    // three days of samples, but a limit set a day and a half ago: what runs under it has not had two days
    const { analysis: three } = sized(() => 400 * MiB, 2048 * MiB, { window: 3 * DAY });
    const recent = recommend({
      analysis: three,
      limitBytes: 2048 * MiB,
      requestBytes: 1024 * MiB,
      oomKilled: false,
      now: END,
      maxFactor: 2,
      limitSince: END - 1.5 * DAY,
    });
    expect(recent.limitBytes!).toBeGreaterThanOrEqual(1.25 * 400 * MiB);
    expect(recent.reason).toContain("the limit was set under two days ago, so not lowered below 25% above the peak");
    // a raise is not held back by it: an OOM-killed container on a day gets its floor, not more
    const killed = sized((s) => 200 * MiB + (400 * MiB * s) / (3 * H), 512 * MiB, { window: DAY }).rec;
    expect(killed.reason).not.toContain("under two days");
  });

  it("a deploy that lowered memory two days ago: the new version's peaks are what count", () => {
    const { rec } = sized((_s, t) => (t < END - 2 * DAY ? 900 * MiB : 400 * MiB), 2048 * MiB, {
      window: 7 * DAY,
      restartsAt: [END - 2 * DAY],
    });
    expect(rec.limitBytes! / MiB).toBeLessThan(600);
  });

  it("after an OOM kill: never below max(old × 1.2, old + 100Mi), and never above the policy's factor", () => {
    const { rec } = sized((s) => 200 * MiB + (400 * MiB * s) / (3 * H), 512 * MiB, { window: DAY });
    expect(rec.limitBytes).toBe(640 * MiB);
    const small = sized((s) => 100 * MiB + (200 * MiB * s) / (3 * H), 256 * MiB, { window: DAY, maxFactor: 1.25 });
    expect(small.rec.limitBytes).toBe(320 * MiB);
    expect(small.rec.reason).toContain("capped at ×1.25 of the current limit by policy");
  });

  it("an OOM kill at the policy's ceiling: the ceiling is the problem, not proposed again (kubernetes/autoscaler#9521)", () => {
    const atCeiling = sized((s) => 200 * MiB + (400 * MiB * s) / (3 * H), 512 * MiB, {
      window: DAY,
      ceiling: 512 * MiB,
    });
    expect(atCeiling.rec.ceiling).toBe("reached");
    expect(atCeiling.rec.limitBytes).toBe(512 * MiB);
    expect(atCeiling.rec.reason).toMatch(
      /^OOM-killed at the policy's ceiling of 512Mi \(the sizing says 640Mi\): the ceiling is the problem, not the limit/,
    );
    // below the ceiling, the raise goes as far as the ceiling and says what happens if that is not enough
    const below = sized((s) => 200 * MiB + (400 * MiB * s) / (3 * H), 512 * MiB, { window: DAY, ceiling: 576 * MiB });
    expect(below.rec).toMatchObject({ limitBytes: 576 * MiB, ceiling: "capped" });
    expect(below.rec.reason).toContain("held at the policy's ceiling of 576Mi (the sizing says 640Mi)");
    // a ceiling above the sizing changes nothing
    const high = sized((s) => 200 * MiB + (400 * MiB * s) / (3 * H), 512 * MiB, { window: DAY, ceiling: 4096 * MiB });
    expect(high.rec.limitBytes).toBe(640 * MiB);
    expect(high.rec.ceiling).toBeUndefined();
  });

  it("a leak keeps its limit and is told to fix or schedule restarts", () => {
    const { analysis, rec } = sized((s) => 300 * MiB + (20 * MiB * s) / H, 2048 * MiB, { window: DAY });
    expect(analysis.classification).toBe("leak");
    expect(rec.limitBytes).toBe(2048 * MiB);
    expect(rec.reason).toMatch(/keep the limit: leak of 2\dMi\/h: fix it, or schedule restarts every \d+[dh]/);
  });

  it("a leak that deploys keep resetting is sized to hold the longest run between them, no further", () => {
    // grows 6Mi/h from 400Mi; restarted every 2–3 days; the current run is a day old
    const restartsAt = [END - 6 * DAY, END - 3.5 * DAY, END - DAY];
    const { analysis, rec } = sized((s) => 400 * MiB + (6 * MiB * s) / H, 2048 * MiB, { window: 7 * DAY, restartsAt });
    expect(analysis.classification).toBe("leak");
    // the first run began before the window: only its last day is seen
    expect(analysis.runLengths.map((x) => Math.round((x / DAY) * 10) / 10)).toEqual([1, 2.5, 2.5]);
    // 400Mi + 6Mi/h over max(2.5 d, 1 d + a day) = 760Mi, plus headroom, rounded: well below the old 2Gi
    expect(rec.limitBytes! / MiB).toBeGreaterThanOrEqual(768);
    expect(rec.limitBytes! / MiB).toBeLessThanOrEqual(896);
    expect(rec.reason).toMatch(
      /^leak of [\d.]+Mi\/h: fix it; until then this holds a run of 2d 12h \(restarts have come sooner\), which reaches [78]\d\dMi — restart at least that often$/,
    );
  });

  it("a restart-bounded leak that was OOM-killed still gets at least the OOM floor", () => {
    const restartsAt = [END - 6 * DAY, END - 3.5 * DAY, END - DAY];
    // runs reach ~800Mi under a 900Mi limit; the pod status says one was OOM-killed anyway
    const { analysis, rec } = sized((s) => 400 * MiB + (6 * MiB * s) / H, 900 * MiB, {
      window: 7 * DAY,
      restartsAt,
      oomKilled: true,
    });
    expect(analysis.classification).toBe("leak");
    expect(rec.limitBytes! / MiB).toBe(1088); // max(900 × 1.2, 900 + 100) = 1080, rounded up; the runs alone need ~850Mi
    expect(rec.reason).toContain("OOM-killed, so at least max(old × 1.2, old + 100Mi)");
  });
});
