import { checkLabelName, checkLabelSelector, checkObjectName } from "./k8s-names.ts";
import { err, ok, type Result } from "./result.ts";
import { excerpt } from "./excerpt.ts";

export type WorkloadKind = "deployment" | "statefulset" | "daemonset";
export type TargetKind = "pod" | WorkloadKind | "namespace" | "any" | "selector";

/** What a person asked to diagnose, validated but not yet looked up. */
export interface Target {
  kind: TargetKind;
  /** absent for "selector" targets */
  name?: string;
  namespace: string;
  selector?: string;
}

/** Maps, not plain objects: a word a person typed (`constructor/api`, `__proto__/api`) is never a key of Object.prototype. */
const PREFIXES = new Map<string, TargetKind>(
  Object.entries({
    pod: "pod",
    pods: "pod",
    po: "pod",
    deploy: "deployment",
    deployment: "deployment",
    deployments: "deployment",
    sts: "statefulset",
    statefulset: "statefulset",
    statefulsets: "statefulset",
    ds: "daemonset",
    daemonset: "daemonset",
    daemonsets: "daemonset",
    ns: "namespace",
    namespace: "namespace",
    namespaces: "namespace",
  }),
);

const SHORT = new Map<string, string>(
  Object.entries({
    pod: "pod",
    deployment: "deploy",
    statefulset: "sts",
    daemonset: "ds",
    namespace: "ns",
    any: "",
    selector: "",
  }),
);

/** Parses `deploy/api`, `pod/api-7d9-x`, `ns/shop`, `api` plus namespace and selector into a Target. */
export function parseTarget(text: string | undefined, namespace: string, selector?: string): Result<Target> {
  const ns = checkLabelName("namespace", namespace);
  if (!ns.ok) return ns;
  let sel: string | undefined;
  if (selector !== undefined) {
    const s = checkLabelSelector(selector);
    if (!s.ok) return s;
    sel = s.value;
  }
  if (text === undefined) {
    return sel
      ? ok({ kind: "selector", namespace, selector: sel })
      : err("say what to diagnose, e.g. deploy/api, pod/api-7d9c-x2x, ns/shop, or -l app=api");
  }
  const slash = text.indexOf("/");
  let kind: TargetKind = "any";
  let name = text;
  if (slash >= 0) {
    const prefix = text.slice(0, slash).toLowerCase();
    const known = PREFIXES.get(prefix);
    if (!known)
      return err(
        `unknown kind "${excerpt(text.slice(0, slash))}" in "${excerpt(text)}": use pod/, deploy/, sts/, ds/ or ns/`,
      );
    kind = known;
    name = text.slice(slash + 1);
  }
  if (kind === "namespace") {
    const n = checkLabelName("namespace", name);
    return n.ok ? ok({ kind, name, namespace: name, ...(sel ? { selector: sel } : {}) }) : n;
  }
  const n = checkObjectName(kind === "any" ? "name" : `${kind} name`, name);
  if (!n.ok) return n;
  return ok({ kind, name, namespace, ...(sel ? { selector: sel } : {}) });
}

/** `deploy/api -n shop`, the way a person would type it back. */
export function describeTarget(t: Target): string {
  const what =
    t.kind === "selector"
      ? `-l ${t.selector ?? ""}`
      : t.kind === "any"
        ? (t.name ?? "")
        : `${SHORT.get(t.kind) ?? t.kind}/${t.name ?? ""}`;
  if (t.kind === "namespace") return what;
  return `${what} -n ${t.namespace}${t.selector && t.kind !== "selector" ? ` -l ${t.selector}` : ""}`;
}

/** "deployment/api" as a person types it: "deploy/api" (charts and reports use one spelling). */
export function shortWorkload(workload: string): string {
  const [kind = "", name = ""] = workload.split("/");
  const short = SHORT.get(kind);
  return short && name ? `${short}/${name}` : workload;
}
