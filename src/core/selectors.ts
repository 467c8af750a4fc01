import type { ClusterEvent, Pod } from "./model.ts";

/** Whether labels satisfy an equality-based label selector: k=v, k==v, k!=v, k, !k, comma-joined (set-based forms are not supported). */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(",").every((req) => {
    const ne = /^(.+?)!=(.*)$/.exec(req);
    if (ne) return labels[ne[1] ?? ""] !== ne[2];
    const eq = /^(.+?)==?(.*)$/.exec(req);
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
