import type { Logger } from "pino";
import type { AuditEntry, AuditEvent } from "../core/audit.ts";
import type { Clock, Store } from "../ports.ts";

export type AuditRecord = Omit<AuditEvent, "at" | "details" | "kubernetesIdentity" | "target"> &
  Partial<Pick<AuditEvent, "details" | "kubernetesIdentity" | "target">>;

/** Where use cases write their entries: the trail itself, or a command's view of it. */
export interface AuditLog {
  record(r: AuditRecord): Promise<AuditEntry>;
}

/** After these, the head is witnessed at once: they are what an attacker would most want to erase. */
const WITNESSED_AT_ONCE: ReadonlySet<AuditEntry["kind"]> = new Set(["intent", "mutation", "approval", "verification"]);

/**
 * Writes every action to the hash-chained audit log (durably, before returning) and to the JSON log,
 * and witnesses the log's head there: (seq, hash) in the log stream, which the database's writer cannot
 * edit. `memops audit verify --witness-file` checks the database against those lines.
 */
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
    if (WITNESSED_AT_ONCE.has(entry.kind)) this.#witness(entry);
    return entry;
  }

  /** Publishes the current head (periodically, and at start-up). */
  async witnessHead(): Promise<void> {
    const head = await this.#store.auditHead();
    if (head) this.#witness(head);
  }

  #witness(head: { seq: number; hash: string }) {
    this.#log.info({ auditHead: { seq: head.seq, hash: head.hash } }, `audit head #${head.seq}`);
  }
}
