import type { Pod, WorkloadObject } from "../core/model.ts";
import { escapeRegex, exactly } from "../core/regex.ts";
import { err, ok, type Result } from "../core/result.ts";
import type { Target, TargetKind, WorkloadKind } from "../core/target.ts";
import { type Cluster, PortError } from "../ports.ts";

export interface ResolvedTarget {
  kind: TargetKind;
  name: string;
  namespace: string;
  ownerChain: string[];
  pods: Pod[];
  /** anchored regex of pod names for metrics, including pods replaced earlier in the window */
  podPattern: string | null;
  /** the workload an incident is about ("deployment/api"), when there is one */
  workload: { kind: WorkloadKind; name: string } | null;
}

const PAGE = 500;
const KIND_NAMES: Record<string, string> = {
  deployment: "Deployment",
  statefulset: "StatefulSet",
  daemonset: "DaemonSet",
  replicaset: "ReplicaSet",
  pod: "Pod",
};

/** Lists every page (`limit`/`continue`), so namespaces with thousands of pods are read in bounded chunks. */
export async function listAllPods(
  cluster: Cluster,
  namespace: string | null,
  labelSelector?: string,
  fieldSelector?: string,
): Promise<Pod[]> {
  const pods: Pod[] = [];
  let continueToken: string | undefined;
  do {
    const page = await cluster.listPods(namespace, {
      limit: PAGE,
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
      ...(continueToken ? { continueToken } : {}),
    });
    pods.push(...page.items);
    continueToken = page.continueToken ?? undefined;
  } while (continueToken);
  return pods;
}

function andSelector(a: string, b: string | undefined): string {
  return b ? `${a},${b}` : a;
}

const controllerOf = (o: { owners: { controller: boolean; kind: string; name: string; uid: string }[] }) =>
  o.owners.find((x) => x.controller);

/** Pattern of the pod names a workload's controller generates, so replaced pods are in the trend too. */
function podPatternFor(kind: WorkloadKind, name: string): string {
  const n = escapeRegex(name);
  if (kind === "deployment") return `${n}-[a-z0-9]{1,10}-[a-z0-9]{5}`;
  if (kind === "statefulset") return `${n}-[0-9]+`;
  return `${n}-[a-z0-9]{5}`;
}

async function workloadPods(cluster: Cluster, w: WorkloadObject, extraSelector: string | undefined): Promise<Pod[]> {
  const selector = andSelector(w.selector, extraSelector);
  if (w.kind === "deployment") {
    const sets = (await cluster.listReplicaSets(w.namespace, w.selector)).filter(
      (rs) => controllerOf(rs)?.uid === w.uid,
    );
    const uids = new Set(sets.map((rs) => rs.uid));
    return (await listAllPods(cluster, w.namespace, selector)).filter((p) => uids.has(controllerOf(p)?.uid ?? ""));
  }
  return (await listAllPods(cluster, w.namespace, selector)).filter((p) => controllerOf(p)?.uid === w.uid);
}

async function ownerChain(
  cluster: Cluster,
  pod: Pod,
): Promise<{ chain: string[]; workload: ResolvedTarget["workload"] }> {
  const chain = [`Pod ${pod.name}`];
  let owner = controllerOf(pod);
  let workload: ResolvedTarget["workload"] = null;
  for (let depth = 0; owner && depth < 4; depth++) {
    chain.push(`${owner.kind} ${owner.name}`);
    const kind = owner.kind.toLowerCase();
    if (kind === "deployment" || kind === "statefulset" || kind === "daemonset") {
      workload = { kind, name: owner.name };
      break;
    }
    if (kind !== "replicaset") break;
    const rs = await cluster.getWorkload(pod.namespace, "replicaset", owner.name);
    owner = rs ? controllerOf(rs) : undefined;
  }
  return { chain, workload };
}

async function fromWorkload(cluster: Cluster, w: WorkloadObject, target: Target): Promise<ResolvedTarget> {
  const kind = w.kind as WorkloadKind;
  return {
    kind,
    name: w.name,
    namespace: w.namespace,
    ownerChain: [`${KIND_NAMES[kind]} ${w.name}`],
    pods: await workloadPods(cluster, w, target.selector),
    podPattern: podPatternFor(kind, w.name),
    workload: { kind, name: w.name },
  };
}

async function fromPod(cluster: Cluster, pod: Pod): Promise<ResolvedTarget> {
  const { chain, workload } = await ownerChain(cluster, pod);
  return {
    kind: "pod",
    name: pod.name,
    namespace: pod.namespace,
    ownerChain: chain,
    pods: [pod],
    podPattern: escapeRegex(pod.name),
    workload,
  };
}

async function resolve(cluster: Cluster, t: Target): Promise<Result<ResolvedTarget>> {
  const name = t.name ?? "";
  switch (t.kind) {
    case "pod": {
      const pod = await cluster.getPod(t.namespace, name);
      return pod ? ok(await fromPod(cluster, pod)) : err(`pod "${name}" not found in namespace "${t.namespace}"`);
    }
    case "deployment":
    case "statefulset":
    case "daemonset": {
      const w = await cluster.getWorkload(t.namespace, t.kind, name);
      return w
        ? ok(await fromWorkload(cluster, w, t))
        : err(`${t.kind} "${name}" not found in namespace "${t.namespace}"`);
    }
    case "namespace":
    case "selector": {
      const pods = await listAllPods(cluster, t.namespace, t.selector);
      if (pods.length === 0) {
        return err(
          t.kind === "selector"
            ? `no pods match -l ${t.selector ?? ""} in namespace "${t.namespace}"`
            : `no pods in namespace "${t.namespace}" (or it does not exist)`,
        );
      }
      const label = t.kind === "namespace" ? `Namespace ${t.namespace}` : `Pods matching ${t.selector ?? ""}`;
      const pattern = t.kind === "namespace" ? null : exactly(pods.map((p) => p.name));
      return ok({
        kind: t.kind,
        name: t.kind === "namespace" ? t.namespace : (t.selector ?? ""),
        namespace: t.namespace,
        ownerChain: [label],
        pods,
        podPattern: pattern,
        workload: null,
      });
    }
    case "any": {
      const kinds: WorkloadKind[] = ["deployment", "statefulset", "daemonset"];
      const [pod, ...workloads] = await Promise.all([
        cluster.getPod(t.namespace, name),
        ...kinds.map((k) => cluster.getWorkload(t.namespace, k, name)),
      ]);
      if (pod) return ok(await fromPod(cluster, pod));
      const found = workloads.filter((w): w is WorkloadObject => w !== null);
      if (found.length > 1) {
        return err(
          `"${name}" is ambiguous in namespace "${t.namespace}": ${found.map((w) => `${w.kind}/${w.name}`).join(", ")} — say which, e.g. deploy/${name}`,
        );
      }
      const [only] = found;
      if (only) return ok(await fromWorkload(cluster, only, t));
      return err(
        `nothing named "${name}" in namespace "${t.namespace}" (looked for a pod, deployment, statefulset and daemonset)`,
      );
    }
  }
}

/** Finds the pods behind a target, following owner chains; expected failures (not found, forbidden) are values. */
export async function resolveTarget(cluster: Cluster, target: Target): Promise<Result<ResolvedTarget>> {
  try {
    return await resolve(cluster, target);
  } catch (e) {
    if (e instanceof PortError) return err(e.message);
    throw e;
  }
}
