import { pino } from "pino";
import { diagnose } from "./src/engine/run-diagnosis.ts";
import { loadRunbooks } from "./src/load-runbooks.ts";
import { SCENARIOS } from "./src/playground/scenarios.ts";
import { Simulation } from "./src/playground/simulation.ts";
import { SimCluster } from "./src/playground/sim-cluster.ts";
import { SimMetrics } from "./src/playground/sim-metrics.ts";
import { sectionData } from "./src/core/findings.ts";
const t0 = performance.now();
const sim = new Simulation(SCENARIOS, () => Date.now() / 1000);
console.log("sim init ms", (performance.now() - t0).toFixed(0));
const rb = await loadRunbooks("runbooks");
if (!rb.ok) throw new Error("rb");
const deps = {
  cluster: new SimCluster(sim),
  metrics: new SimMetrics(sim),
  clock: { now: () => Date.now() },
  log: pino({ level: "silent" }),
};
for (const s of SCENARIOS) {
  const r = await diagnose(deps, rb.value, {
    target: { kind: "deployment", name: s.name, namespace: "demo" },
    windowSeconds: 6 * 3600,
  });
  if (!r.ok) {
    console.log(s.name, r.error);
    continue;
  }
  const trend = sectionData(r.value.sections, "memory-trend");
  console.log(
    s.name,
    "|",
    s.expect,
    "|",
    r.value.verdict.headline,
    "|",
    trend?.rows
      .map(
        (x) =>
          `${x.analysis.classification}${x.analysis.plateau ? "+plateau" : ""} ${x.analysis.evidence.slice(0, 80)}`,
      )
      .join(" ; "),
  );
}
