import type { Proposal } from "../../../core/remediation/proposal.ts";
import type { Executor } from "./executor.ts";

const release = (p: Proposal) => {
  if (p.route.kind !== "helm-release") throw new Error(`proposal ${p.id} is not routed to a HelmRelease`);
  return p.route;
};

/**
 * A Flux HelmRelease's values (merge patch) and a reconcile request. Not preconditioned: the values'
 * layout is the chart's, so memops cannot pin "before" there; Flux's own diff applies it.
 */
export const helmRelease: Executor = {
  object: (p) => ({
    group: "helm.toolkit.fluxcd.io",
    resource: "helmreleases",
    namespace: release(p).namespace,
    name: release(p).name,
  }),
  sent: (p) => release(p).patch,
  dryRun: async (c, p) => {
    const r = release(p);
    const generation = await c.patchHelmRelease({ namespace: r.namespace, name: r.name }, r.patch, { dryRun: true });
    return `accepted by the API server (dry run): HelmRelease ${r.namespace}/${r.name} values; generation ${generation}`;
  },
  apply: async (c, p) => {
    const r = release(p);
    const generation = await c.patchHelmRelease({ namespace: r.namespace, name: r.name }, r.patch, { dryRun: false });
    return `HelmRelease ${r.namespace}/${r.name} values changed (generation ${generation}); Flux reconciles it`;
  },
  inEffect: async () => null,
  drift: async () => "the HelmRelease changed since this card was made",
};
