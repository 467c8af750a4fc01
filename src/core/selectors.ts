import { requirements } from "./k8s-names.ts";
import type { ClusterEvent, Pod } from "./model.ts";

/**
 * Whether labels satisfy a label selector as the API server reads it: k=v, k==v, k!=v, k, !k,
 * k in (a,b), k notin (a,b), comma-joined (checked first by `checkLabelSelector`).
 */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: string | undefined): boolean {
  if (!selector) return true;
  return requirements(selector).every((req) => {
    const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
    if (set) {
      const has = set[1] ?? "";
      const values = (set[3] ?? "").split(",").map((v) => v.trim());
      const value = labels[has];
      // notin also matches a pod without the label, as Kubernetes does
      return set[2] === "in"
        ? value !== undefined && values.includes(value)
        : value === undefined || !values.includes(value);
    }
    const ne = /^(.+?)\s*!=\s*(.*)$/.exec(req);
    if (ne) return labels[ne[1] ?? ""] !== ne[2];
    const eq = /^(.+?)\s*==?\s*(.*)$/.exec(req);
    if (eq) return labels[eq[1] ?? ""] === eq[2];
    if (req.startsWith("!")) return !(req.slice(1) in labels);
    return req in labels;
  });
}

/** Whether a pod satisfies a field selector on the fields memops uses (spec.nodeName, status.phase; = and !=). */
export function podFieldsMatch(pod: Pick<Pod, "nodeName" | "phase">, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(",").every((req) => {
    const [k, v] = req.split(/!?=/);
    const actual = k === "spec.nodeName" ? pod.nodeName : k === "status.phase" ? pod.phase : undefined;
    return req.includes("!=") ? actual !== v : actual === v;
  });
}

/** Whether an event satisfies a field selector on involvedObject.kind and involvedObject.name. */
export function eventFieldsMatch(e: Pick<ClusterEvent, "involvedKind" | "involvedName">, selector: string): boolean {
  const want = Object.fromEntries(selector.split(",").map((kv) => kv.split("=") as [string, string]));
  return (
    (!want["involvedObject.kind"] || e.involvedKind === want["involvedObject.kind"]) &&
    (!want["involvedObject.name"] || e.involvedName === want["involvedObject.name"])
  );
}
