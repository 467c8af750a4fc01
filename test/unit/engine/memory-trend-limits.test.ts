import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { sectionData } from "../../../src/core/findings.ts";
import { diagnose } from "../../../src/engine/run-diagnosis.ts";
import { SCENARIOS } from "../../../src/playground/scenarios.ts";
import { SimCluster } from "../../../src/playground/sim-cluster.ts";
import { SimMetrics } from "../../../src/playground/sim-metrics.ts";
import { Simulation } from "../../../src/playground/simulation.ts";
import { shippedRunbooks } from "../../support/app-harness.ts";
import { NOW } from "../../support/fixtures.ts";

describe("the limit history of a namespace's trend", () => {
  it("is each workload's own: six deployments whose containers are all named app keep their own limits", async () => {
    const sim = new Simulation(SCENARIOS, () => NOW);
    const r = await diagnose(
      {
        cluster: new SimCluster(sim),
        metrics: new SimMetrics(sim),
        clock: { now: () => NOW },
        log: pino({ level: "silent" }),
      },
      await shippedRunbooks(),
      {
        target: { kind: "namespace", name: "demo", namespace: "demo" },
        windowSeconds: 6 * 3600,
        runbookId: "high-memory",
      },
    );
    if (!r.ok) throw new Error(r.error);
    const trend = sectionData(r.value.sections, "memory-trend")!;
    expect(new Set(trend.rows.map((x) => x.workload)).size).toBeGreaterThan(3);
    for (const row of trend.rows) {
      // nobody changed a limit: one step, at the pod's own limit (reports and ledger have 1Gi, the rest 512Mi)
      expect(
        row.limits.map((s) => s.bytes),
        `${row.pod}`,
      ).toEqual([row.limitBytes]);
    }
    // and the next steps say which workload's "app" they mean
    expect(r.value.nextSteps.join("\n")).toContain("container app of deploy/search");
  });
});
