import type { AuditEntry } from "../core/audit.ts";
import type { Incident, Store } from "../ports.ts";

/**
 * The incident's audit entries, in order: its workload's since it opened (every entry an incident causes
 * is recorded under its workload), read through the (target, at) index.
 */
export function incidentEntries(store: Store, i: Incident): Promise<AuditEntry[]> {
  return store.auditEntries({ target: i.subject, since: i.openedAt - 1 });
}
