import { describe, expect, it } from "vitest";
import type { InMemoryCluster } from "../../../src/in-memory/in-memory-cluster.ts";
import { SCENARIOS } from "../../../src/playground/scenarios.ts";
import { SimCluster } from "../../../src/playground/sim-cluster.ts";
import { Simulation } from "../../../src/playground/simulation.ts";
import { MiB } from "../../../src/core/quantity.ts";
import { FakeCluster } from "../../support/fake-cluster.ts";
import { NOW, pod, workload } from "../../support/fixtures.ts";

/** The two clusters memops runs on without an API server: the tests' fake and the playground's simulation. */
const clusters: { name: string; make: () => { cluster: InMemoryCluster; namespace: string; deployment: string } }[] = [
  {
    name: "FakeCluster",
    make: () => ({
      cluster: new FakeCluster({
        pods: ["a", "b", "c", "d", "e"].map((x) => pod({ name: `api-${x}` })),
        workloads: [workload({ kind: "deployment", name: "api" })],
      }),
      namespace: "shop",
      deployment: "api",
    }),
  },
  {
    name: "SimCluster",
    make: () => ({
      cluster: new SimCluster(new Simulation(SCENARIOS, () => NOW)),
      namespace: "demo",
      deployment: "search",
    }),
  },
];

const LIMIT = "/spec/template/spec/containers/0/resources/limits/memory";

describe.each(clusters)("$name keeps the API server's semantics", ({ make }) => {
  it("pages through a list with continue tokens: every pod once, the last page without a token", async () => {
    const { cluster, namespace } = make();
    const whole = (await cluster.listPods(namespace, { limit: 1000 })).items.map((p) => p.name);
    expect(whole.length).toBeGreaterThan(2);
    const paged: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await cluster.listPods(namespace, { limit: 2, ...(token ? { continueToken: token } : {}) });
      paged.push(...page.items.map((p) => p.name));
      if (page.continueToken === null) break;
      token = page.continueToken;
    }
    expect(paged).toEqual(whole);
    expect((await cluster.listPods(namespace, { limit: 10, labelSelector: "app=nothing-has-this" })).items).toEqual([]);
    expect((await cluster.listPods("elsewhere", { limit: 10 })).items).toEqual([]);
  });

  it("applies a JSON Patch whose tests hold, refuses one whose test fails and changes nothing, and dry-runs", async () => {
    const { cluster, namespace, deployment } = make();
    const ref = { kind: "deployment" as const, namespace, name: deployment };
    const before = await cluster.getWorkload(namespace, "deployment", deployment);
    const limit = before!.template.containers[0]!.limitBytes!;
    const raised = `${Math.round(limit / MiB) + 128}Mi`;
    const current = `${Math.round(limit / MiB)}Mi`;

    await expect(
      cluster.patchWorkload(
        ref,
        [
          { op: "test", path: LIMIT, value: "1Mi" },
          { op: "replace", path: LIMIT, value: raised },
        ],
        {
          dryRun: false,
        },
      ),
    ).rejects.toMatchObject({ code: "conflict" });
    await cluster.patchWorkload(ref, [{ op: "replace", path: LIMIT, value: raised }], { dryRun: true });
    expect((await cluster.getWorkload(namespace, "deployment", deployment))!.template.containers[0]!.limitBytes).toBe(
      limit,
    );

    const after = await cluster.patchWorkload(
      ref,
      [
        { op: "test", path: LIMIT, value: current },
        { op: "replace", path: LIMIT, value: raised },
      ],
      { dryRun: false },
    );
    expect(after.template.containers[0]!.limitBytes).toBe(limit + 128 * MiB);
    expect(after.rollout.generation).toBe(before!.rollout.generation + 1);
    await expect(cluster.patchWorkload({ ...ref, name: "no-such-app" }, [], { dryRun: false })).rejects.toMatchObject({
      code: "not-found",
    });
  });
});
