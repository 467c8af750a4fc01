import { describe, expect, it } from "vitest";
import type { Section } from "../../../src/core/findings.ts";
import { nextSteps, raisedLimit } from "../../../src/core/next-steps.ts";
import { MiB } from "../../../src/core/quantity.ts";
import { verdictOf } from "../../../src/core/verdict.ts";
import { NOW } from "../../support/fixtures.ts";

const policy = { maxFactor: 2 };
const oom = (over: Partial<Extract<Section, { kind: "oom-history" }>["data"] & object> = {}): Section => ({
  kind: "oom-history",
  title: "OOM",
  status: "ok",
  millis: 1,
  data: {
    rows: [
      {
        pod: "api-1",
        container: "api",
        restartCount: 3,
        oomKilled: true,
        lastReason: "OOMKilled",
        lastExitCode: 137,
        lastFinishedAt: NOW - 600,
        crashLoop: true,
        waitingReason: "CrashLoopBackOff",
      },
    ],
    totalRestarts: 3,
    oomKilledContainers: 1,
    crashLooping: 1,
    events: [],
    podsScanned: 1,
    ...over,
  },
});
const usage = (usageBytes: number, limitBytes: number | null): Section => ({
  kind: "usage-vs-limit",
  title: "Usage",
  status: "ok",
  millis: 1,
  data: {
    source: "prometheus",
    rows: [
      {
        pod: "api-1",
        container: "api",
        usageBytes,
        requestBytes: 256 * MiB,
        limitBytes,
        ofLimit: limitBytes ? usageBytes / limitBytes : null,
        ofRequest: usageBytes / (256 * MiB),
      },
    ],
    totalContainers: 1,
    overThreshold: limitBytes && usageBytes / limitBytes >= 0.8 ? 1 : 0,
    warnRatio: 0.8,
  },
});

describe("raisedLimit", () => {
  it("after an OOM kill: at least max(old × 1.2, old + 100Mi), rounded up, never above the policy factor", () => {
    expect(raisedLimit(512 * MiB, 512 * MiB, policy)).toBe(640 * MiB); // 614.4Mi → 640Mi
    expect(raisedLimit(256 * MiB, 256 * MiB, policy)).toBe(384 * MiB); // 356Mi → 384Mi
    expect(raisedLimit(100 * MiB, 100 * MiB, { maxFactor: 1.5 })).toBe(150 * MiB); // 200Mi capped at ×1.5
  });
});

describe("next steps and verdict", () => {
  it("an OOM-killed container without a leak gets a bounded limit increase", () => {
    const steps = nextSteps([oom(), usage(500 * MiB, 512 * MiB)], policy, NOW);
    expect(steps[0]).toBe(
      "Raise the memory limit of container api from 512Mi to 640Mi (at most ×2 per step), then watch for new OOM kills.",
    );
  });

  it("an OOM kill at the policy's ceiling: the next step says the ceiling is the problem instead of proposing it again", () => {
    const steps = nextSteps([oom(), usage(500 * MiB, 512 * MiB)], { maxFactor: 2, ceilingBytes: 512 * MiB }, NOW);
    expect(steps[0]).toMatch(
      /^Container api was OOM-killed at 512Mi, the policy's ceiling for this namespace: the ceiling is the problem, not the limit/,
    );
    expect(steps.join("\n")).not.toMatch(/Raise the memory limit/);
    // below the ceiling: raised as far as the ceiling goes, and it says so
    expect(nextSteps([oom(), usage(500 * MiB, 512 * MiB)], { maxFactor: 2, ceilingBytes: 576 * MiB }, NOW)[0]).toBe(
      "Raise the memory limit of container api from 512Mi to 576Mi (at most ×2 per step, held at the policy's ceiling), then watch for new OOM kills.",
    );
  });

  it("a container without a limit is told to set one", () => {
    expect(nextSteps([oom(), usage(900 * MiB, null)], policy, NOW).join("\n")).toContain(
      "Container api has no memory limit",
    );
  });

  it("nothing wrong says so", () => {
    expect(nextSteps([usage(100 * MiB, 512 * MiB)], policy, NOW)).toEqual([
      "Nothing to do now. Run `/mem diagnose` again with `--since 24h` for a longer view if the alert persists.",
    ]);
  });

  it("the verdict puts a recent OOM kill first and is critical", () => {
    const v = verdictOf(
      { kind: "deployment", name: "api", namespace: "shop", ownerChain: [], pods: 1, containers: 1, workload: null },
      [usage(470 * MiB, 512 * MiB), oom()],
      NOW,
      6 * 3600,
    );
    expect(v.severity).toBe("critical");
    expect(v.headline).toBe("api-1/api was OOMKilled at 2026-09-21 14:03 UTC (3 restarts, CrashLoopBackOff)");
    expect(v.points[1]).toBe("1 of 1 containers above 80% of their limit (highest api-1/api at 92%)");
  });

  it("an incomplete but healthy report says which parts were missing", () => {
    const v = verdictOf(
      { kind: "deployment", name: "api", namespace: "shop", ownerChain: [], pods: 2, containers: 2, workload: null },
      [
        usage(100 * MiB, 512 * MiB),
        { kind: "memory-trend", title: "Trend and forecast", status: "unavailable", note: "down", millis: 1 },
      ],
      NOW,
      3600,
    );
    expect(v).toEqual({
      severity: "ok",
      headline: "no memory problem found in 2 pods (incomplete: Trend and forecast unavailable)",
      points: [],
    });
  });
});
