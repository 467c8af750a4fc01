import type { AuditEntry } from "../core/audit.ts";
import type { Incident, Store } from "../ports.ts";

/** The incident's audit entries, in order: its workload's, and what was recorded under its id. */
export async function incidentEntries(store: Store, i: Incident): Promise<AuditEntry[]> {
  return (await store.auditEntries({ since: i.openedAt - 1 })).filter(
    (e) => e.target === i.workload || e.details["incident"] === i.id,
  );
}
