import { describe, expect, it } from "vitest";
import { resolveTarget } from "../../../src/engine/resolve-target.ts";
import { FakeCluster } from "../../support/fake-cluster.ts";
import { controller, pod, workload } from "../../support/fixtures.ts";
import { SHOP, shopCluster } from "../../support/shop-scenario.ts";

describe("resolveTarget", () => {
  it("a Deployment's pods are the ones its ReplicaSets own, not every pod with its labels", async () => {
    const r = await resolveTarget(shopCluster(), { kind: "deployment", name: "api", namespace: "shop" });
    expect(r.ok && r.value.pods.map((p) => p.name).sort()).toEqual([SHOP.leaking, SHOP.healthy, SHOP.killed].sort());
    expect(r.ok && r.value.workload).toEqual({ kind: "deployment", name: "api" });
  });

  it("a pod is traced through its ReplicaSet to its Deployment", async () => {
    const r = await resolveTarget(shopCluster(), { kind: "pod", name: SHOP.killed, namespace: "shop" });
    expect(r.ok && r.value.ownerChain).toEqual([`Pod ${SHOP.killed}`, "ReplicaSet api-7d9c8f6b5d", "Deployment api"]);
    expect(r.ok && r.value.workload).toEqual({ kind: "deployment", name: "api" });
  });

  it("a bare name finds the pod or the single workload of that name", async () => {
    const r = await resolveTarget(shopCluster(), { kind: "any", name: "api", namespace: "shop" });
    expect(r.ok && r.value.kind).toBe("deployment");
  });

  it("a StatefulSet's pods are matched by owner uid", async () => {
    const sts = workload({ kind: "statefulset", name: "db", selector: "app=db", labels: { app: "db" } });
    const cluster = new FakeCluster({
      workloads: [sts],
      pods: [
        pod({ name: "db-0", labels: { app: "db" }, owners: [controller("StatefulSet", "db")] }),
        pod({ name: "db-restore", labels: { app: "db" } }),
      ],
    });
    const r = await resolveTarget(cluster, { kind: "statefulset", name: "db", namespace: "shop" });
    expect(r.ok && r.value.pods.map((p) => p.name)).toEqual(["db-0"]);
    expect(r.ok && r.value.podPattern).toBe("db-[0-9]+");
  });

  it("lists a large namespace page by page", async () => {
    const cluster = new FakeCluster({ pods: Array.from({ length: 1200 }, (_, i) => pod({ name: `p-${i}` })) });
    const r = await resolveTarget(cluster, { kind: "namespace", name: "shop", namespace: "shop" });
    expect(r.ok && r.value.pods).toHaveLength(1200);
    expect(
      cluster.calls
        .filter((c) => c.method === "listPods")
        .map((c) => (c.args[1] as { continueToken?: string }).continueToken),
    ).toEqual([undefined, "500", "1000"]);
  });

  it("not found and forbidden are values with clear words", async () => {
    expect(await resolveTarget(shopCluster(), { kind: "daemonset", name: "agent", namespace: "shop" })).toEqual({
      ok: false,
      error: 'daemonset "agent" not found in namespace "shop"',
    });
    expect(
      await resolveTarget(shopCluster({ forbidden: ["getPod"] }), { kind: "pod", name: "x", namespace: "shop" }),
    ).toEqual({ ok: false, error: "memops is not allowed to getPod (forbidden by RBAC)" });
    expect(await resolveTarget(shopCluster(), { kind: "selector", namespace: "shop", selector: "app=none" })).toEqual({
      ok: false,
      error: 'no pods match -l app=none in namespace "shop"',
    });
  });
});
