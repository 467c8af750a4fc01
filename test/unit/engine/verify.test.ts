import { describe, expect, it } from "vitest";
import { MiB } from "../../../src/core/quantity.ts";
import type { Proposal } from "../../../src/core/remediation/proposal.ts";
import { verifyRemediation } from "../../../src/engine/remediation/verify.ts";
import { FakeCluster } from "../../support/fake-cluster.ts";
import { FakeMetrics } from "../../support/fake-metrics.ts";
import { controller, NOW, oomKilled, pod, series, status, workload } from "../../support/fixtures.ts";
import { proposalFixture } from "../../support/store-contract.ts";

const rs = workload({ kind: "replicaset", name: "api-7d9c8f6b5d", owners: [controller("Deployment", "api")] });
const pods = (n: number, s = () => [status({ name: "api" })]) =>
  Array.from({ length: n }, (_, i) =>
    pod({ name: `api-7d9c8f6b5d-p${i}xyz`, owners: [controller("ReplicaSet", "api-7d9c8f6b5d")], statuses: s() }),
  );
const executed: Proposal = { ...proposalFixture("v1"), status: "executed", decidedAt: NOW - 60 };
const opts = { windowSeconds: 600, pollSeconds: 5, rolloutTimeoutSeconds: 300 };

function deps(cluster: FakeCluster, usedMiB: number | null) {
  let now = NOW;
  const metrics =
    usedMiB === null
      ? null
      : new FakeMetrics(
          cluster.data.pods.map((p) => ({
            namespace: "shop",
            pod: p.name,
            container: "api",
            workingSet: series(3600, 60, () => usedMiB * MiB).map((s) => ({ ...s, t: s.t + 1200 })),
          })),
        );
  return {
    cluster,
    metrics,
    clock: { now: () => now },
    sleep: async (ms: number) => {
      now += ms / 1000;
    },
  };
}

describe("verifying a remediation", () => {
  it("verified: rollout done, no new kills or restarts, memory under 80% of the limit", async () => {
    const cluster = new FakeCluster({ workloads: [workload({ kind: "deployment", name: "api" }), rs], pods: pods(3) });
    const v = await verifyRemediation(deps(cluster, 300), executed, opts);
    expect(v).toEqual({
      verified: true,
      escalation: null,
      lines: [
        "rollout finished: 3/3 updated, 3 available",
        "no new OOM kills or restarts in 10m",
        "memory at most 59% of its limit (api-7d9c8f6b5d-p0xyz/api: 300Mi of 512Mi)",
      ],
    });
  });

  it("three OOM kills after the change: not verified, and escalated", async () => {
    const cluster = new FakeCluster({
      workloads: [workload({ kind: "deployment", name: "api" }), rs],
      pods: pods(3, () => [oomKilled("api", 2, 30)]),
    });
    const v = await verifyRemediation(deps(cluster, 300), executed, opts);
    expect(v.verified).toBe(false);
    expect(v.lines[1]).toBe(
      "3 new OOM kills (api-7d9c8f6b5d-p0xyz/api, api-7d9c8f6b5d-p1xyz/api, api-7d9c8f6b5d-p2xyz/api) and 0 restarts since the change",
    );
    expect(v.escalation).toBe("3 OOM kills within 11m of the change");
  });

  it("memory that keeps growing after a limit increase is not verified, and is escalated", async () => {
    const cluster = new FakeCluster({ workloads: [workload({ kind: "deployment", name: "api" }), rs], pods: pods(1) });
    const d = deps(cluster, null);
    const growing = new FakeMetrics([
      {
        namespace: "shop",
        pod: "api-7d9c8f6b5d-p0xyz",
        container: "api",
        workingSet: series(3600, 60, (t) => 200 * MiB + (60 * MiB * t) / 3600).map((s) => ({ ...s, t: s.t + 1200 })),
      },
    ]);
    const raise: Proposal = { ...executed, plan: { ...executed.plan, action: "raise-limit" } };
    const v = await verifyRemediation({ ...d, metrics: growing }, raise, opts);
    expect(v.verified).toBe(false);
    expect(v.lines).toContain("memory keeps growing after the increase: api-7d9c8f6b5d-p0xyz/api +60Mi/h");
    expect(v.escalation).toBe(
      "memory keeps growing after the limit increase (api-7d9c8f6b5d-p0xyz/api +60Mi/h): more memory will not fix a leak",
    );
  });

  it("memory still at 90% of the new limit is not verified", async () => {
    const cluster = new FakeCluster({ workloads: [workload({ kind: "deployment", name: "api" }), rs], pods: pods(2) });
    const v = await verifyRemediation(deps(cluster, 460), executed, opts);
    expect(v.verified).toBe(false);
    expect(v.lines[2]).toBe("memory at most 90% of its limit (api-7d9c8f6b5d-p0xyz/api: 460Mi of 512Mi)");
  });

  it("a rollout that does not finish, and unknown memory, are said plainly and not verified", async () => {
    const stuck = workload({
      kind: "deployment",
      name: "api",
      rollout: {
        generation: 5,
        observedGeneration: 5,
        replicas: 3,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 2,
      },
    });
    const cluster = new FakeCluster({ workloads: [stuck, rs], pods: pods(3) });
    const v = await verifyRemediation(deps(cluster, null), executed, opts);
    expect(v.verified).toBe(false);
    expect(v.lines).toEqual([
      "rollout did not finish within 5m: 1/3 updated, 2 available",
      "no new OOM kills or restarts in 10m",
      "memory now: unknown (no current usage from Prometheus or metrics.k8s.io)",
      "not Ready: 2/3 available",
    ]);
  });
});
