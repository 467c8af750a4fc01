/** Who owns a workload's spec: a direct patch to a GitOps-managed object is reverted at the next sync. */
export type GitOpsOwner =
  | { tool: "flux-helm"; name: string; namespace: string }
  | { tool: "flux-kustomize"; name: string; namespace: string }
  | { tool: "argocd"; app: string };

export function gitOpsOwner(labels: Record<string, string>, annotations: Record<string, string>): GitOpsOwner | null {
  const helm = labels["helm.toolkit.fluxcd.io/name"];
  if (helm) return { tool: "flux-helm", name: helm, namespace: labels["helm.toolkit.fluxcd.io/namespace"] ?? "" };
  const kustomize = labels["kustomize.toolkit.fluxcd.io/name"];
  if (kustomize)
    return {
      tool: "flux-kustomize",
      name: kustomize,
      namespace: labels["kustomize.toolkit.fluxcd.io/namespace"] ?? "",
    };
  const argo = labels["argocd.argoproj.io/instance"] ?? annotations["argocd.argoproj.io/tracking-id"]?.split(":")[0];
  if (argo) return { tool: "argocd", app: argo };
  return null;
}

export function describeGitOps(o: GitOpsOwner): string {
  switch (o.tool) {
    case "flux-helm":
      return `Flux HelmRelease ${o.namespace}/${o.name}`;
    case "flux-kustomize":
      return `Flux Kustomization ${o.namespace}/${o.name}`;
    case "argocd":
      return `Argo CD application ${o.app}`;
  }
}
