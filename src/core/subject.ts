/**
 * What an incident or an audit entry is about — a workload, a pod, a namespace, a selection of pods —
 * typed. Its text form ("deployment/api -n shop") is made only at the edges: the stores' index column,
 * the hash chain's input, and what people read.
 */
import type { Target, WorkloadKind } from "./target.ts";

export type SubjectKind = WorkloadKind | "pod" | "namespace" | "selector" | "name";

export interface Subject {
  kind: SubjectKind;
  namespace: string;
  /** the object's name; for "namespace" the namespace, for "selector" the label selector */
  name: string;
}

/** "deployment/api -n shop", "namespace/shop", "selector/app=api -n shop", "api -n shop" (kind not given). */
export function subjectKey(s: Subject): string {
  if (s.kind === "namespace") return `namespace/${s.namespace}`;
  if (s.kind === "name") return s.namespace ? `${s.name} -n ${s.namespace}` : s.name;
  return `${s.kind}/${s.name} -n ${s.namespace}`;
}

/** The subject a key names; every key memops ever wrote reads back to a subject with the same key. */
export function parseSubjectKey(key: string): Subject {
  const ns = /^namespace\/([^\s/]+)$/.exec(key);
  if (ns) return { kind: "namespace", namespace: ns[1]!, name: ns[1]! };
  const m = /^(?:([^\s/]+)\/)?(.*) -n (\S+)$/s.exec(key);
  if (m) return { kind: (m[1] ?? "name") as SubjectKind, name: m[2]!, namespace: m[3]! };
  return { kind: "name", name: key, namespace: "" };
}

/** The subject of what a person asked for: a workload, pod, namespace, a selection, or a bare name. */
export function subjectOfTarget(t: Target): Subject {
  if (t.kind === "namespace") return { kind: "namespace", namespace: t.namespace, name: t.namespace };
  if (t.kind === "selector") return { kind: "selector", namespace: t.namespace, name: t.selector ?? "" };
  return { kind: t.kind === "any" ? "name" : t.kind, namespace: t.namespace, name: t.name ?? "" };
}
