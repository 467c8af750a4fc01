/** The limit changes memops executed, read back from its proposals: a diagnosis's limit history when Prometheus has none. */
import type { ContainerLimitChange } from "../limit-history.ts";
import { parseQuantity } from "../quantity.ts";
import type { Proposal } from "./proposal.ts";

const bytesOf = (q: string | undefined): number | null => {
  const parsed = q === undefined ? null : parseQuantity(q);
  return parsed?.ok ? parsed.value : null;
};

export function executedLimitChanges(proposals: readonly Proposal[]): ContainerLimitChange[] {
  return proposals.flatMap((p) => {
    const change = p.plan.changes.find((c) => c.path.endsWith(".limits.memory"));
    if (p.status !== "executed" || p.plan.action !== "raise-limit" || !p.plan.container || !change) return [];
    return [
      {
        container: p.plan.container,
        at: p.decidedAt ?? p.createdAt,
        from: bytesOf(change.before),
        to: bytesOf(change.after),
        by: p.decidedBy,
      },
    ];
  });
}
