/** A live plan against the workload as it is now: is it in effect, and if it was refused, what changed? */
import type { WorkloadObject } from "../model.ts";
import { exactQuantity, parseQuantity } from "../quantity.ts";
import type { Change, Plan } from "./plan.ts";
import { RESTARTED_AT } from "./plan.ts";

interface Field {
  label: string;
  now: string;
}

/** The field a change touches, in words, and its value on the workload now (as a card shows it). */
function fieldOf(plan: Plan, w: WorkloadObject, c: Change): Field | null {
  if (plan.action === "raise-limit" || plan.action === "set-request") {
    const spec = w.template.containers.find((x) => x.name === plan.container);
    const limit = c.path.endsWith(".limits.memory");
    const bytes = limit ? spec?.limitBytes : spec?.requestBytes;
    return {
      label: `the ${limit ? "limit" : "request"} of ${plan.container ?? "?"}`,
      now: bytes === null || bytes === undefined ? "(none)" : exactQuantity(bytes),
    };
  }
  if (plan.action === "scale-out" && !plan.autoscaler) return { label: "replicas", now: String(w.replicas ?? 1) };
  if (plan.action === "restart")
    return { label: "the last restart", now: w.template.annotations[RESTARTED_AT] ?? "(none)" };
  return null;
}

/** Same value, allowing for the spellings of one quantity ("0.5Gi" and "512Mi"). */
function same(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseQuantity(a),
    y = parseQuantity(b);
  return x.ok && y.ok && x.value === y.value;
}

/** Every change of the plan holds on the workload now; null when the plan is not one of a workload's own fields. */
export function planInEffect(plan: Plan, w: WorkloadObject): boolean | null {
  const fields = plan.changes.map((c) => ({ c, f: fieldOf(plan, w, c) }));
  if (fields.some((x) => x.f === null)) return null;
  return fields.every(({ c, f }) => same(f?.now ?? "", c.after));
}

/** Why a preconditioned patch was refused, in the card's terms: "made for 512Mi; the limit of app is now 640Mi". */
export function driftText(plan: Plan, w: WorkloadObject | null): string {
  if (!w) return `${plan.target.kind}/${plan.target.name} no longer exists`;
  const moved = plan.changes.flatMap((c) => {
    const f = fieldOf(plan, w, c);
    return f && !same(f.now, c.before) ? [`made for ${c.before}; ${f.label} is now ${f.now}`] : [];
  });
  return moved.length > 0 ? moved.join("; ") : "the object changed since this card was made";
}
