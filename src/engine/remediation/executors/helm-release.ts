import type { Proposal } from "../../../core/remediation/proposal.ts";
import type { Executor } from "./executor.ts";

const release = (p: Proposal) => {
  if (p.route.kind !== "helm-release") throw new Error(`proposal ${p.id} is not routed to a HelmRelease`);
  return p.route;
};

/**
 * The merge patch as sent: the values, the reconcile request, and the HelmRelease's resourceVersion when
 * the card was made — the API server refuses the whole patch (409) if the release changed since. (The
 * values' layout is the chart's, so memops pins the object's version rather than a field's value.)
 */
const preconditioned = (p: Proposal) => {
  const r = release(p);
  if (r.resourceVersion === undefined) return r.patch;
  const metadata = (r.patch["metadata"] ?? {}) as Record<string, unknown>;
  return { ...r.patch, metadata: { ...metadata, resourceVersion: r.resourceVersion } };
};

/** A Flux HelmRelease's values (merge patch, preconditioned) and a reconcile request. */
export const helmRelease: Executor = {
  object: (p) => ({
    group: "helm.toolkit.fluxcd.io",
    resource: "helmreleases",
    namespace: release(p).namespace,
    name: release(p).name,
  }),
  sent: preconditioned,
  dryRun: async (c, p) => {
    const r = release(p);
    const generation = await c.patchHelmRelease({ namespace: r.namespace, name: r.name }, preconditioned(p), {
      dryRun: true,
    });
    return `accepted by the API server (dry run): HelmRelease ${r.namespace}/${r.name} values; generation ${generation}`;
  },
  apply: async (c, p) => {
    const r = release(p);
    const generation = await c.patchHelmRelease({ namespace: r.namespace, name: r.name }, preconditioned(p), {
      dryRun: false,
    });
    return `HelmRelease ${r.namespace}/${r.name} values changed (generation ${generation}); Flux reconciles it`;
  },
  inEffect: async () => null,
  drift: async () => "the HelmRelease changed since this card was made",
};
