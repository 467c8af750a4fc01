import { checkLabelName, checkObjectName } from "./k8s-names.ts";
import type { Target } from "./target.ts";

/**
 * The workload an alert is about, from its labels (kube-state-metrics and cAdvisor name them):
 * a deployment/statefulset/daemonset label when there is one, else the pod. Labels are validated
 * like typed names: an alert is input from outside too.
 */
export function alertTarget(labels: Record<string, string>): Target | null {
  const namespace = labels["namespace"];
  if (!namespace || !checkLabelName("namespace", namespace).ok) return null;
  const kinds = [
    ["deployment", "deployment"],
    ["statefulset", "statefulset"],
    ["daemonset", "daemonset"],
    ["pod", "pod"],
  ] as const;
  for (const [label, kind] of kinds) {
    const name = labels[label];
    if (name && checkObjectName(kind, name).ok) return { kind, name, namespace };
  }
  return null;
}
