import { describe, expect, it } from "vitest";
import { GiB, MiB } from "../../../../src/core/quantity.ts";
import { planLimit, planRestart, planScale } from "../../../../src/core/remediation/plan.ts";
import { preflight, type PreflightFacts } from "../../../../src/core/remediation/preflight.ts";
import { NOW, workload } from "../../../support/fixtures.ts";

const w = workload({ kind: "deployment", name: "api" }); // 3 replicas; api 256Mi/512Mi, envoy 64Mi/128Mi
const none: PreflightFacts = { limitRangeMaxBytes: null, quota: [], largestNodeAllocatableBytes: null, hpa: null };
const plan = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T => {
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const limit = (mib: number) => plan(planLimit(w, "api", mib * MiB, { maxFactor: 2, ceilingBytes: null }));

describe("pre-flight checks", () => {
  it("a limit above the namespace's LimitRange maximum blocks: new pods would be rejected", () => {
    expect(preflight(limit(1024), w, { ...none, limitRangeMaxBytes: 768 * MiB })).toEqual([
      {
        ok: false,
        blocking: true,
        text: "1Gi is above the namespace's LimitRange maximum (768Mi): new pods would be rejected",
      },
    ]);
    expect(preflight(limit(640), w, { ...none, limitRangeMaxBytes: 768 * MiB })[0]).toMatchObject({ ok: true });
  });

  it("quota room is the change × replicas", () => {
    const quota = (usedMiB: number): PreflightFacts => ({
      ...none,
      quota: [{ resource: "limits.memory", name: "team", hardBytes: 4 * GiB, usedBytes: usedMiB * MiB }],
    });
    // 3 replicas × +512Mi = 1.5Gi more
    expect(preflight(limit(1024), w, quota(2048))).toEqual([
      { ok: true, blocking: true, text: "ResourceQuota team (limits.memory) has room: needs 1.5Gi, 2Gi free" },
    ]);
    expect(preflight(limit(1024), w, quota(3072))).toEqual([
      {
        ok: false,
        blocking: true,
        text: "ResourceQuota team (limits.memory) is too small: needs 1.5Gi more, only 1Gi free; the rollout would stall",
      },
    ]);
    const scale = plan(planScale(w, 5, { hpa: null, maxReplicas: null }));
    expect(
      preflight(scale, w, {
        ...none,
        quota: [{ resource: "requests.memory", name: "team", hardBytes: 2 * GiB, usedBytes: 1536 * MiB }],
      }),
    ).toEqual([
      {
        ok: false,
        blocking: true,
        text: "ResourceQuota team (requests.memory) is too small: needs 640Mi more, only 512Mi free; the rollout would stall",
      },
    ]);
  });

  it("a pod no node can hold blocks; an HPA on memory is a warning when the request moves", () => {
    const g = workload({
      kind: "deployment",
      name: "db",
      template: { containers: [{ name: "pg", requestBytes: 6 * GiB, limitBytes: 6 * GiB }], annotations: {} },
    });
    const raise = plan(planLimit(g, "pg", 9 * GiB, { maxFactor: 2, ceilingBytes: null }));
    expect(
      preflight(raise, g, { ...none, largestNodeAllocatableBytes: 8 * GiB, hpa: { name: "db", onMemory: true } }),
    ).toEqual([
      {
        ok: false,
        blocking: true,
        text: "a pod would request 9Gi, more than the largest node's 8Gi allocatable: it could never be scheduled",
      },
      {
        ok: false,
        blocking: false,
        text: "HPA db scales on memory utilisation of requests: the request moves too, so it will see lower utilisation and may scale in",
      },
    ]);
  });

  it("a restart changes no resources", () => {
    expect(preflight(plan(planRestart(w, NOW)), w, { ...none, limitRangeMaxBytes: 1 })).toEqual([
      { ok: true, blocking: false, text: "no resources change: pods are replaced one by one" },
    ]);
  });
});
