import { describe, expect, it } from "vitest";
import { classify } from "../../../src/core/classify.ts";
import {
  changesOf,
  historyFromChanges,
  historyFromSeries,
  limitAt,
  raisedAfter,
} from "../../../src/core/limit-history.ts";
import { MiB } from "../../../src/core/quantity.ts";
import { NOW, series } from "../../support/fixtures.ts";

const H = 3600;

describe("a container's limit over time", () => {
  it("from kube-state-metrics: each pod's value takes effect when the pod first reports it", () => {
    const old = [0, 60, 120, 180].map((s) => ({ t: NOW - 600 + s, v: 512 * MiB }));
    const rolled = [180, 240, 300].map((s) => ({ t: NOW - 600 + s, v: 640 * MiB }));
    const h = historyFromSeries([old, rolled]);
    expect(h).toEqual([
      { from: NOW - 600, bytes: 512 * MiB },
      { from: NOW - 420, bytes: 640 * MiB },
    ]);
    expect(limitAt(h, NOW - 500)).toBe(512 * MiB);
    expect(limitAt(h, NOW - 420)).toBe(640 * MiB);
    expect(limitAt(h, NOW - 9999)).toBe(512 * MiB); // before the first sample: the first value
    expect(changesOf(h)).toEqual([{ at: NOW - 420, from: 512 * MiB, to: 640 * MiB }]);
  });

  it("from memops's own changes: reconstructed backwards from the limit now", () => {
    const changes = [
      { container: "app", at: NOW - 100, from: 600 * MiB, to: 700 * MiB },
      { container: "app", at: NOW - 3000, from: 512 * MiB, to: 600 * MiB },
      { container: "app", at: NOW - 99_999, from: 256 * MiB, to: 512 * MiB }, // before the window: not drawn
    ];
    expect(historyFromChanges(700 * MiB, changes, NOW - 6 * H)).toEqual([
      { from: NOW - 6 * H, bytes: 512 * MiB },
      { from: NOW - 3000, bytes: 600 * MiB },
      { from: NOW - 100, bytes: 700 * MiB },
    ]);
    expect(historyFromChanges(512 * MiB, [], NOW - 6 * H)).toEqual([{ from: NOW - 6 * H, bytes: 512 * MiB }]);
  });

  it("raisedAfter: a raise after a moment, only when the limit is higher now than it was then", () => {
    const h = [
      { from: NOW - 6 * H, bytes: 512 * MiB },
      { from: NOW - H, bytes: 640 * MiB },
    ];
    expect(raisedAfter(h, NOW - 2 * H)).toEqual({ at: NOW - H, from: 512 * MiB, to: 640 * MiB });
    expect(raisedAfter(h, NOW - 30 * 60)).toBeNull();
    expect(raisedAfter([...h, { from: NOW - 60, bytes: 512 * MiB }], NOW - 2 * H)).toBeNull();
  });
});

describe("classify with the limit history", () => {
  // killed at 512Mi every 75 minutes for 5 hours; then the limit was raised to 640Mi and the pod replaced
  const cycle = 75 * 60;
  const raisedAt = NOW - H;
  const ws = series(6 * H, 60, (t) => 150 * MiB + ((t % cycle) / cycle) * 362 * MiB, 2 * MiB, 3).filter(
    (s) => s.t < raisedAt,
  );
  const restarts = series(6 * H, 60, (t) => Math.floor(t / cycle)).filter((s) => s.t < raisedAt);
  const limits = [
    { from: NOW - 6 * H, bytes: 512 * MiB },
    { from: raisedAt, bytes: 640 * MiB },
  ];

  it("an OOM cycle fixed by a raise stays an OOM cycle before it, and says it was answered", () => {
    const a = classify({ series: ws, restarts, limitBytes: 512 * MiB, limits, now: NOW });
    expect(a.classification).toBe("oom-cycle");
    expect(a.raisedSince).toEqual({ at: raisedAt, from: 512 * MiB, to: 640 * MiB });
    expect(a.evidence).toContain("the limit was raised to 640Mi at");
    expect(a.evidence).toContain("no OOM kill since");
    // its rhythm was at the old limit: no forecast of the next kill from it
    expect(a.timeToLimitSeconds).toBeNull();
  });

  it("judged by today's limit alone, the same hours would not be an OOM cycle (what the history prevents)", () => {
    const a = classify({ series: ws, restarts, limitBytes: 640 * MiB, now: NOW });
    expect(a.classification).not.toBe("oom-cycle");
  });
});
