import { describe, expect, it } from "vitest";
import { classify } from "../../../src/core/classify.ts";
import { MiB } from "../../../src/core/quantity.ts";
import { NOW, series } from "../../support/fixtures.ts";

const H = 3600;
const LIMIT = 1024 * MiB;
const run = (ws: ReturnType<typeof series>, extra: Partial<Parameters<typeof classify>[0]> = {}) =>
  classify({ series: ws, limitBytes: LIMIT, now: NOW, ...extra });

describe("classify: the first classification of one container", () => {
  it("a steady climb is a leak, with a forecast that brackets the true time to the limit", () => {
    // 400Mi + 50Mi/h for 8h = 800Mi now; the limit is 224Mi away: ~4.5h
    const a = run(series(8 * H, 60, (t) => 400 * MiB + (50 * MiB * t) / H, 8 * MiB));
    expect(a.classification).toBe("leak");
    expect(a.slopeBytesPerHour / MiB).toBeCloseTo(50, 0);
    expect(a.timeToLimitSeconds! / H).toBeGreaterThan(4);
    expect(a.timeToLimitSeconds! / H).toBeLessThan(5);
    expect(a.timeToLimitRange![0]).toBeLessThanOrEqual(a.timeToLimitSeconds!);
    expect(a.evidence).toMatch(/grew 50(\.\d)?Mi\/h for 8h, R² (0\.9\d|1\.00)/);
  });

  it("a warm-up followed by a plateau is stable, marked plateau, and explicitly not a leak", () => {
    const a = run(series(8 * H, 60, (t) => 300 * MiB + 300 * MiB * (1 - Math.exp(-t / (0.7 * H))), 5 * MiB));
    expect(a.classification).toBe("stable");
    expect(a.plateau).toBe(true);
    expect(a.timeToLimitSeconds).toBeNull();
    expect(a.evidence).toContain("not a leak");
  });

  it("repeated climbs to the limit with restarts are an OOM cycle, forecast from the cycle length", () => {
    const cycle = 90 * 60;
    const a = run(
      series(8 * H, 60, (t) => 200 * MiB + ((t % cycle) / cycle) * 820 * MiB, 3 * MiB),
      { restarts: series(8 * H, 60, (t) => Math.floor(t / cycle)) },
    );
    expect(a.classification).toBe("oom-cycle");
    expect(a.timeToLimitSeconds!).toBeLessThanOrEqual(cycle);
    expect(a.evidence).toMatch(/a cycle lasts about 1h 30m/);
  });

  it("sitting at the limit without growth means the limit is too low", () => {
    const a = run(series(6 * H, 60, () => 0.96 * LIMIT, 4 * MiB));
    expect(a.classification).toBe("limit-too-low");
    expect(a.evidence).toContain("of its 1Gi limit");
  });

  it("a short excursion is a spike, and says whether it recovered", () => {
    const flat = (t: number) => 400 * MiB + (t > 3 * H && t < 3.2 * H ? 400 * MiB : 0);
    const recovered = run(series(6 * H, 60, flat, 3 * MiB));
    expect(recovered.classification).toBe("spike");
    expect(recovered.recovered).toBe(true);
    const notYet = run(series(6 * H, 60, (t) => 400 * MiB + (t > 5.9 * H ? 400 * MiB : 0), 3 * MiB));
    expect(notYet.classification).toBe("spike");
    expect(notYet.recovered).toBe(false);
  });

  it("noise around a level is stable and has no forecast", () => {
    const a = run(series(6 * H, 60, () => 500 * MiB, 20 * MiB));
    expect(a.classification).toBe("stable");
    expect(a.plateau).toBe(false);
    expect(a.timeToLimitSeconds).toBeNull();
  });

  it("says so when there is too little data", () => {
    const a = run(series(10 * 60, 300, () => 500 * MiB));
    expect(a.classification).toBe("stable");
    expect(a.confidence).toBeLessThan(0.2);
    expect(a.evidence).toContain("too little data");
  });

  it("without a limit a leak has no time to limit", () => {
    const a = run(
      series(8 * H, 60, (t) => 400 * MiB + (50 * MiB * t) / H, 8 * MiB),
      { limitBytes: null },
    );
    expect(a.classification).toBe("leak");
    expect(a.timeToLimitSeconds).toBeNull();
  });
});
