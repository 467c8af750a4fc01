import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { sectionData } from "../../../src/core/findings.ts";
import { diagnose } from "../../../src/engine/run-diagnosis.ts";
import { SCENARIOS } from "../../../src/playground/scenarios.ts";
import { SimCluster } from "../../../src/playground/sim-cluster.ts";
import { SimMetrics } from "../../../src/playground/sim-metrics.ts";
import { Simulation } from "../../../src/playground/simulation.ts";
import { shippedRunbooks } from "../../support/app-harness.ts";

const MiB = 2 ** 20,
  H = 3600;
function world(offset = 0) {
  const clock = { t: 1_790_000_000 + offset };
  const sim = new Simulation(SCENARIOS, () => clock.t);
  const cluster = new SimCluster(sim),
    metrics = new SimMetrics(sim);
  const deps = { cluster, metrics, clock: { now: () => clock.t }, log: pino({ level: "silent" }) };
  const trend = async (name: string) => {
    const r = await diagnose(deps, await shippedRunbooks(), {
      target: { kind: "deployment", name, namespace: "demo" },
      windowSeconds: 6 * H,
    });
    if (!r.ok) throw new Error(r.error);
    return sectionData(r.value.sections, "memory-trend")?.rows ?? [];
  };
  const pods = async (name: string) =>
    (await cluster.listPods("demo", { labelSelector: `app=${name}`, limit: 100 })).items;
  return { clock, sim, cluster, metrics, trend, pods };
}

describe("the playground's simulated cluster", () => {
  it.each([0, 50, 100, 150, 200].map((m) => m * 60))(
    "each workload is read by the real analysis as its story says (at +%is)",
    async (offset) => {
      const w = world(offset);
      const verdict = async (name: string) =>
        (await w.trend(name)).map(
          (r) =>
            `${r.analysis.classification}${r.analysis.plateau ? "+plateau" : ""}${r.analysis.recovered ? "+recovered" : ""}`,
        );
      expect(await verdict("checkout")).toEqual(["leak", "leak"]);
      expect(await verdict("search")).toEqual(["oom-cycle"]);
      expect(await verdict("ledger")).toEqual(["stable+plateau"]);
      expect(await verdict("reports")).toEqual(["spike+recovered"]);
      expect(await verdict("cache")).toEqual(["limit-too-low"]);
      expect(await verdict("web")).toEqual(["stable", "stable"]);
      const leak = (await w.trend("checkout"))[0]!.analysis;
      expect(leak.timeToLimitSeconds! / H).toBeGreaterThan(0.3);
      expect(leak.timeToLimitSeconds! / H).toBeLessThan(2);
    },
  );

  it("a container that reaches its limit is OOM-killed and restarted, with the events a kubelet would leave", async () => {
    const w = world();
    const [pod] = await w.pods("search");
    expect(pod!.statuses[0]!.restartCount).toBeGreaterThanOrEqual(3);
    expect(pod!.statuses[0]!.lastTerminated).toMatchObject({ reason: "OOMKilled", exitCode: 137 });
    const events = await w.cluster.listEvents("demo", `involvedObject.kind=Pod,involvedObject.name=${pod!.name}`, 10);
    expect(events.map((e) => e.reason)).toContain("BackOff");
    expect(await w.cluster.readLog("demo", pod!.name, "app", { previous: true, tailLines: 10 })).toMatch(
      /out of memory/,
    );
  });

  it("a rolling restart replaces the pods and memory starts over; the old pods stay in the metrics", async () => {
    const w = world();
    const before = await w.pods("checkout");
    const dry = await w.cluster.patchWorkload(
      { kind: "deployment", namespace: "demo", name: "checkout" },
      [
        {
          op: "add",
          path: "/spec/template/metadata/annotations",
          value: { "kubectl.kubernetes.io/restartedAt": "now" },
        },
      ],
      { dryRun: true },
    );
    expect(dry.rollout.generation).toBe(2);
    expect((await w.pods("checkout")).map((p) => p.name)).toEqual(before.map((p) => p.name)); // a dry run changes nothing
    await w.cluster.patchWorkload(
      { kind: "deployment", namespace: "demo", name: "checkout" },
      [
        {
          op: "add",
          path: "/spec/template/metadata/annotations",
          value: { "kubectl.kubernetes.io/restartedAt": "now" },
        },
      ],
      { dryRun: false },
    );
    w.clock.t += 600;
    const after = await w.pods("checkout");
    expect(after).toHaveLength(2);
    expect(after.some((p) => before.some((b) => b.name === p.name))).toBe(false);
    const usage = await w.cluster.currentUsage("demo");
    for (const p of after) expect(usage.get(`${p.name}/app`)! / MiB).toBeLessThan(240);
    const series = await w.metrics.containerMemory({
      namespace: "demo",
      podPattern: "checkout-[a-z0-9]{1,10}-[a-z0-9]{5}",
      start: w.clock.t - 3600,
      end: w.clock.t,
      stepSeconds: 60,
    });
    expect(series).toHaveLength(4);
    expect((await w.cluster.getWorkload("demo", "deployment", "checkout"))!.rollout).toMatchObject({
      observedGeneration: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
  });

  it("a higher limit ends the OOM cycle; a replica change adds pods", async () => {
    const w = world();
    await w.cluster.patchWorkload(
      { kind: "deployment", namespace: "demo", name: "search" },
      [{ op: "replace", path: "/spec/template/spec/containers/0/resources/limits/memory", value: "640Mi" }],
      { dryRun: false },
    );
    w.clock.t += 4 * H;
    const [pod] = await w.pods("search");
    expect(pod!.containers[0]!.limitBytes).toBe(640 * MiB);
    expect(pod!.statuses[0]!.restartCount).toBe(0);
    await w.cluster.patchWorkload(
      { kind: "deployment", namespace: "demo", name: "web" },
      [{ op: "replace", path: "/spec/replicas", value: 3 }],
      { dryRun: false },
    );
    expect(await w.pods("web")).toHaveLength(3);
    await expect(
      w.cluster.patchWorkload(
        { kind: "deployment", namespace: "demo", name: "search" },
        [{ op: "replace", path: "/spec/template/spec/containers/0/resources/limits/memory", value: "lots" }],
        { dryRun: true },
      ),
    ).rejects.toThrow(/HTTP 422/);
  });

  it("serves max_over_time per step, like the PromQL memops sends", async () => {
    const w = world();
    const [c] = await w.metrics.containerMemory({
      namespace: "demo",
      podPattern: "cache-[a-z0-9]{1,10}-[a-z0-9]{5}",
      start: w.clock.t - 3600,
      end: w.clock.t,
      stepSeconds: 300,
    });
    expect(c!.workingSet).toHaveLength(13);
    expect(c!.workingSet.every((s) => (s.t - (w.clock.t - 3600)) % 300 === 0)).toBe(true);
    expect(
      await w.metrics.containerMemory({
        namespace: "other",
        podPattern: null,
        start: 0,
        end: w.clock.t,
        stepSeconds: 60,
      }),
    ).toEqual([]);
  });
});
