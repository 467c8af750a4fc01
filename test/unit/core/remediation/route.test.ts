import { describe, expect, it } from "vitest";
import { MiB } from "../../../../src/core/quantity.ts";
import { gitOpsOwner } from "../../../../src/core/remediation/gitops.ts";
import { planLimit, planRestart, planScale } from "../../../../src/core/remediation/plan.ts";
import { routeFor } from "../../../../src/core/remediation/route.ts";
import { NOW, workload } from "../../../support/fixtures.ts";

const flux = gitOpsOwner(
  { "helm.toolkit.fluxcd.io/name": "shop-api", "helm.toolkit.fluxcd.io/namespace": "flux-system" },
  {},
);
const argo = gitOpsOwner({ "argocd.argoproj.io/instance": "shop" }, {});
const w = workload({ kind: "deployment", name: "api" });
const ok = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T =>
  r.ok
    ? r.value
    : (() => {
        throw new Error(r.error);
      })();
const limit = ok(planLimit(w, "api", 640 * MiB, { maxFactor: 2, ceilingBytes: null }));

describe("where an approved change goes", () => {
  it("a workload nobody else manages is patched live; so is any restart", () => {
    expect(routeFor(limit, null, {}, NOW)).toEqual({ kind: "live" });
    expect(routeFor(ok(planRestart(w, NOW)), flux, {}, NOW)).toEqual({ kind: "live" });
  });

  it("a Flux HelmRelease gets its values changed and a reconcile request, at the chart's path", () => {
    expect(routeFor(limit, flux, {}, NOW)).toEqual({
      kind: "helm-release",
      name: "shop-api",
      namespace: "flux-system",
      patch: {
        metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "2026-09-21T14:13:20.000Z" } },
        spec: { values: { resources: { limits: { memory: "640Mi" } } } },
      },
      changes: [
        {
          path: "HelmRelease flux-system/shop-api spec.values.resources.limits.memory",
          before: "512Mi",
          after: "640Mi",
        },
      ],
    });
    const perContainer = routeFor(
      limit,
      flux,
      { "memops.dev/helm-values-path.api": "api.resources", "memops.dev/helm-values-path": "sidecar.resources" },
      NOW,
    );
    expect(perContainer.kind === "helm-release" && perContainer.patch["spec"]).toEqual({
      values: { api: { resources: { limits: { memory: "640Mi" } } } },
    });
    const scale = routeFor(ok(planScale(w, 5, { hpa: null, maxReplicas: null })), flux, {}, NOW);
    expect(scale.kind === "helm-release" && scale.patch["spec"]).toEqual({ values: { replicaCount: 5 } });
  });

  it("Argo CD and Flux Kustomizations: no live change, the patch goes to Git", () => {
    expect(routeFor(limit, argo, {}, NOW)).toEqual({
      kind: "git",
      why: "a live patch would be reverted at the next sync, and memops does not write to Git",
    });
  });
});
