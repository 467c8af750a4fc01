import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { forecastText } from "../../../src/core/forecast.ts";
import { sectionData } from "../../../src/core/findings.ts";
import { diagnose } from "../../../src/engine/run-diagnosis.ts";
import { shippedRunbooks } from "../../support/app-harness.ts";
import { NOW, shopCluster, shopEvents, shopMetrics } from "../../support/shop-scenario.ts";

describe("report wording", () => {
  it("a forecast at the limit says so instead of '~0s (0s–0s)'; a range that touches it starts 'now'", () => {
    expect(forecastText({ timeToLimitSeconds: 0, timeToLimitRange: [0, 0] })).toBe("at the limit now");
    expect(forecastText({ timeToLimitSeconds: 300, timeToLimitRange: [0, 540] })).toBe("limit in ~5m (now–9m)");
    expect(forecastText({ timeToLimitSeconds: 7200, timeToLimitRange: [3600, null] }, false)).toBe("limit in ~2h");
    expect(forecastText({ timeToLimitSeconds: null, timeToLimitRange: null })).toBeNull();
  });

  it("a node's OOM event that names another workload's pod is not this workload's", async () => {
    const events = [
      ...shopEvents(),
      {
        namespace: "",
        reason: "OOMKilling",
        message: "Memory cgroup out of memory: Killed process 99 (redis) total-vm:1kB; pod cache-6f7d8c9b5a-zz9zz",
        type: "Warning",
        involvedKind: "Node",
        involvedName: "node-a",
        count: 1,
        lastSeen: NOW - 30,
      },
    ];
    const r = await diagnose(
      {
        cluster: shopCluster({ events }),
        metrics: shopMetrics(),
        clock: { now: () => NOW },
        log: pino({ level: "silent" }),
      },
      await shippedRunbooks(),
      {
        target: { kind: "deployment", name: "api", namespace: "shop" },
        windowSeconds: 6 * 3600,
        runbookId: "oomkilled",
      },
    );
    if (!r.ok) throw new Error(r.error);
    const messages = sectionData(r.value.sections, "oom-history")!.events.map((e) => e.message);
    expect(messages.some((m) => m.includes("cache-6f7d8c9b5a-zz9zz"))).toBe(false);
    // one that names no pod cannot be told apart, and stays
    expect(messages.some((m) => m.includes("Killed process 4242 (java)"))).toBe(true);
  });
});
