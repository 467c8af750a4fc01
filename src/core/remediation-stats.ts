/**
 * The seed's "remediation success rate", from the audit log alone: per action kind, how many changes
 * were executed and how many held — by the latest look at each (the week-later re-check, else the
 * day-later one, else the verification right after) — and the median time from the first warning or
 * alert about the workload to its verified fix.
 */
import type { AuditEntry } from "./audit.ts";
import { median } from "./stats.ts";
import { postedByWatch } from "./watch/warned.ts";
import { subjectKey } from "./subject.ts";

const WEEK = 7 * 86_400;

export interface ActionStats {
  action: string;
  executed: number;
  held: number;
  failed: number;
  /** executed, nothing known yet */
  pending: number;
}

export interface RemediationStats {
  actions: ActionStats[];
  /** seconds from the first warning or alert to the verified fix, median; null without any */
  medianToFix: number | null;
  /** how many fixes that median is over */
  fixesTimed: number;
}

const proposalOf = (e: AuditEntry) => (typeof e.details["proposal"] === "string" ? e.details["proposal"] : null);

export function remediationStats(entries: readonly AuditEntry[]): RemediationStats {
  const executed = entries.filter(
    (e) => e.kind === "mutation" && e.outcome.startsWith("ok:") && e.details["dryRun"] !== true && proposalOf(e),
  );
  const byAction = new Map<string, ActionStats>();
  const toFix: number[] = [];
  for (const x of executed) {
    const id = proposalOf(x)!;
    const action = typeof x.details["action"] === "string" ? x.details["action"] : "unknown";
    const s = byAction.get(action) ?? { action, executed: 0, held: 0, failed: 0, pending: 0 };
    byAction.set(action, s);
    s.executed++;
    const looks = entries.filter((e) => e.kind === "verification" && proposalOf(e) === id);
    const after = (e: AuditEntry) => (typeof e.details["afterSeconds"] === "number" ? e.details["afterSeconds"] : 0);
    const latest = looks.reduce<AuditEntry | null>((a, e) => (!a || after(e) >= after(a) ? e : a), null);
    const ok = (e: AuditEntry) => (after(e) > 0 ? e.details["held"] === true : e.outcome === "verified");
    if (!latest) s.pending++;
    else if (ok(latest)) s.held++;
    else s.failed++;
    const verified = looks.find((e) => after(e) === 0 && e.outcome === "verified");
    if (verified && x.target) {
      const key = subjectKey(x.target);
      const first = entries.find(
        (e) =>
          (e.kind === "alert" || postedByWatch(e)) &&
          e.target !== null &&
          subjectKey(e.target) === key &&
          e.at <= x.at &&
          e.at >= x.at - WEEK,
      );
      if (first) toFix.push(verified.at - first.at);
    }
  }
  return {
    actions: [...byAction.values()].sort((a, b) => b.executed - a.executed || a.action.localeCompare(b.action)),
    medianToFix: toFix.length ? median(toFix) : null,
    fixesTimed: toFix.length,
  };
}
