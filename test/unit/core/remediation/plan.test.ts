import { describe, expect, it } from "vitest";
import { MiB } from "../../../../src/core/quantity.ts";
import {
  planAutoscalerMax,
  planLimit,
  planRequest,
  planRestart,
  planScale,
  recommendedReplicas,
} from "../../../../src/core/remediation/plan.ts";
import { gitOpsOwner } from "../../../../src/core/remediation/gitops.ts";
import { NOW, workload } from "../../../support/fixtures.ts";

const deploy = workload({ kind: "deployment", name: "api" });
const bounds = { maxFactor: 2, ceilingBytes: 4096 * MiB };

describe("remediation plans", () => {
  it("restart patches only the pod template's restartedAt annotation, as kubectl does", () => {
    const r = planRestart(deploy, NOW);
    expect(r).toMatchObject({
      ok: true,
      value: {
        patch: {
          spec: {
            template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-09-21T14:13:20Z" } } },
          },
        },
      },
    });
  });

  it("a limit increase names one container (strategic merge by name) and leaves the request when it differs", () => {
    const r = planLimit(deploy, "api", 640 * MiB, bounds);
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        patch: {
          spec: { template: { spec: { containers: [{ name: "api", resources: { limits: { memory: "640Mi" } } }] } } },
        },
        changes: [
          { path: "spec.template.spec.containers[api].resources.limits.memory", before: "512Mi", after: "640Mi" },
        ],
        summary: "Raise the memory limit of api in deploy/api from 512Mi to 640Mi",
      }),
    });
  });

  it("keeps Guaranteed QoS: when request equals limit, both move", () => {
    const g = workload({
      kind: "statefulset",
      name: "db",
      template: { containers: [{ name: "pg", requestBytes: 1024 * MiB, limitBytes: 1024 * MiB }], annotations: {} },
    });
    const r = planLimit(g, "pg", 1536 * MiB, bounds);
    expect(r.ok && r.value.patch).toEqual({
      spec: {
        template: {
          spec: {
            containers: [{ name: "pg", resources: { limits: { memory: "1.5Gi" }, requests: { memory: "1.5Gi" } } }],
          },
        },
      },
    });
  });

  it.each([
    ["envoy2", 640, 'has no container "envoy2" (containers: api, envoy)'],
    ["api", 512, "is not above the current limit"],
    ["api", 1100, "at most ×2 per step: api can go from 512Mi to 1Gi now"],
  ])("refuses %s → %dMi", (c, mib, problem) => {
    const r = planLimit(deploy, c, mib * MiB, bounds);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(problem);
  });

  it("respects the namespace ceiling", () => {
    const big = workload({
      kind: "deployment",
      name: "api",
      template: { containers: [{ name: "api", requestBytes: null, limitBytes: 3072 * MiB }], annotations: {} },
    });
    expect(planLimit(big, "api", 5120 * MiB, bounds)).toMatchObject({
      ok: false,
      error: "5Gi is above the policy's ceiling for shop (4Gi)",
    });
  });

  it("scale-out: ceil(current × usage / target), at least +1; never when an HPA owns replicas", () => {
    expect(recommendedReplicas(3, 0.92, 0.7)).toBe(4);
    expect(recommendedReplicas(3, 0.5, 0.7)).toBe(4);
    expect(recommendedReplicas(4, 1.4, 0.7)).toBe(8);
    expect(planScale(deploy, 4, { hpa: null, maxReplicas: 10 })).toMatchObject({
      ok: true,
      value: { patch: { spec: { replicas: 4 } } },
    });
    // an HPA owns the count: the one planner raises its ceiling instead of a scale it would undo
    expect(planScale(deploy, 4, { hpa: { name: "api", maxReplicas: 3 }, maxReplicas: null })).toMatchObject({
      ok: true,
      value: { autoscaler: "api", patch: { spec: { maxReplicas: 4 } } },
    });
    expect(planScale(deploy, 3, { hpa: null, maxReplicas: null })).toMatchObject({ ok: false });
    expect(planScale(deploy, 30, { hpa: null, maxReplicas: 10 })).toMatchObject({
      ok: false,
      error: expect.stringContaining("above the policy's maximum"),
    });
    expect(
      planScale(workload({ kind: "daemonset", name: "agent" }), 4, { hpa: null, maxReplicas: null }),
    ).toMatchObject({ ok: false });
  });

  it("with an HPA: raise its ceiling to the wanted replicas (at least +1), within the policy", () => {
    expect(planAutoscalerMax(deploy, { name: "api", maxReplicas: 5 }, 8, null)).toMatchObject({
      ok: true,
      value: {
        autoscaler: "api",
        patch: { spec: { maxReplicas: 8 } },
        summary: "Let the HorizontalPodAutoscaler api scale deploy/api up to 8 replicas (was 5)",
      },
    });
    expect(planAutoscalerMax(deploy, { name: "api", maxReplicas: 5 }, 4, null)).toMatchObject({
      ok: true,
      value: { patch: { spec: { maxReplicas: 6 } } },
    });
    expect(planAutoscalerMax(deploy, { name: "api", maxReplicas: 9 }, 12, 10)).toMatchObject({
      ok: false,
      error: expect.stringContaining("above the policy's maximum for shop (10)"),
    });
  });

  it("recognises GitOps owners from Flux and Argo CD labels", () => {
    expect(
      gitOpsOwner({ "helm.toolkit.fluxcd.io/name": "api", "helm.toolkit.fluxcd.io/namespace": "flux-system" }, {}),
    ).toEqual({ tool: "flux-helm", name: "api", namespace: "flux-system" });
    expect(
      gitOpsOwner(
        { "kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system" },
        {},
      ),
    ).toEqual({ tool: "flux-kustomize", name: "apps", namespace: "flux-system" });
    expect(gitOpsOwner({}, { "argocd.argoproj.io/tracking-id": "shop:apps/Deployment:shop/api" })).toEqual({
      tool: "argocd",
      app: "shop",
    });
    expect(gitOpsOwner({ app: "api" }, {})).toBeNull();
  });
});

describe("planRequest: the digest's right-sized request", () => {
  it("sets one container's request, pinned on its resources as the card shows them, the limit untouched", () => {
    const p = planRequest(deploy, "api", 160 * MiB);
    expect(p.ok && p.value).toMatchObject({
      action: "set-request",
      container: "api",
      changes: [
        { path: "spec.template.spec.containers[api].resources.requests.memory", before: "256Mi", after: "160Mi" },
      ],
      summary: "Set the memory request of api in deploy/api from 256Mi to 160Mi",
      ops: [
        { op: "test", path: "/spec/template/spec/containers/0/name", value: "api" },
        { op: "test", path: "/spec/template/spec/containers/0/resources" },
        { op: "add", path: "/spec/template/spec/containers/0/resources/requests", value: { memory: "160Mi" } },
      ],
    });
  });

  it("says when a request equal to the limit stops being Guaranteed QoS", () => {
    const guaranteed = workload({
      kind: "deployment",
      name: "api",
      template: { containers: [{ name: "api", requestBytes: 512 * MiB, limitBytes: 512 * MiB }], annotations: {} },
    });
    const p = planRequest(guaranteed, "api", 300 * MiB);
    expect(p.ok && p.value.summary).toContain("(QoS Guaranteed → Burstable: the request no longer equals the limit)");
  });

  it("refuses a request above the limit, the same request, and a container that is not there", () => {
    expect(planRequest(deploy, "api", 600 * MiB)).toEqual({
      ok: false,
      error: "600Mi is above the limit of api (512Mi): raise the limit first",
    });
    expect(planRequest(deploy, "api", 256 * MiB)).toEqual({ ok: false, error: "the request of api is 256Mi already" });
    expect(planRequest(deploy, "web", 100 * MiB)).toEqual({
      ok: false,
      error: 'deploy/api has no container "web" (containers: api, envoy)',
    });
  });
});
