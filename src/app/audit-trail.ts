import type { Logger } from "pino";
import type { AuditEntry, AuditEvent } from "../core/audit.ts";
import type { Clock, Store } from "../ports.ts";

export type AuditRecord = Omit<AuditEvent, "at" | "details" | "kubernetesIdentity" | "target"> &
  Partial<Pick<AuditEvent, "details" | "kubernetesIdentity" | "target">>;

/** Where use cases write their entries: the trail itself, or a command's view of it. */
export interface AuditLog {
  record(r: AuditRecord): Promise<AuditEntry>;
}

/** Writes every action to the hash-chained audit log (durably, before returning) and to the JSON log. */
export class AuditTrail implements AuditLog {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(store: Store, clock: Clock, log: Logger) {
    this.#store = store;
    this.#clock = clock;
    this.#log = log.child({ component: "audit" });
  }

  async record(r: AuditRecord): Promise<AuditEntry> {
    const entry = await this.#store.appendAudit({
      at: this.#clock.now(),
      details: {},
      kubernetesIdentity: null,
      target: null,
      ...r,
    });
    this.#log.info({ audit: entry }, `audit: ${entry.kind} ${entry.outcome}`);
    return entry;
  }
}
