import type { Logger } from "pino";
import type { AuditEntry, AuditEvent } from "../core/audit.ts";
import { type Clock, NO_TELEMETRY, type Store, type Telemetry } from "../ports.ts";

export type AuditRecord = Omit<AuditEvent, "at" | "details" | "kubernetesIdentity" | "target"> &
  Partial<Pick<AuditEvent, "details" | "kubernetesIdentity" | "target">>;

/** Where use cases write their entries: the trail itself, or a command's view of it. */
export interface AuditLog {
  record(r: AuditRecord): Promise<AuditEntry>;
  /** several entries, in order, in one transaction */
  recordAll(rs: readonly AuditRecord[]): Promise<AuditEntry[]>;
}

/** A batch longer than this is logged as one summary line (the entries themselves are in the audit log). */
const LOG_EACH_UP_TO = 50;

const countKinds = (entries: readonly AuditEntry[]) => {
  const n: Record<string, number> = {};
  for (const e of entries) n[e.kind] = (n[e.kind] ?? 0) + 1;
  return n;
};

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

  readonly #telemetry: Telemetry;

  constructor(store: Store, clock: Clock, log: Logger, telemetry: Telemetry = NO_TELEMETRY) {
    this.#telemetry = telemetry;
    this.#store = store;
    this.#clock = clock;
    this.#log = log.child({ component: "audit" });
  }

  async record(r: AuditRecord): Promise<AuditEntry> {
    const [entry] = await this.recordAll([r]);
    return entry!;
  }

  /** Several entries in one transaction (an alert storm: one durable write, not one per alert). */
  async recordAll(rs: readonly AuditRecord[]): Promise<AuditEntry[]> {
    const at = this.#clock.now();
    const t0 = performance.now();
    const entries = await this.#store.appendAudits(
      rs.map((r) => ({ at, details: {}, kubernetesIdentity: null, target: null, ...r })),
    );
    this.#telemetry.audit(entries, (performance.now() - t0) / 1000);
    // Each entry goes to the JSON log too; a storm (hundreds of alerts at once) as one line, so that
    // logging it does not hold the event loop (health checks, Slack acks) — the entries are in the audit log.
    if (entries.length <= LOG_EACH_UP_TO)
      for (const entry of entries) this.#log.info({ audit: entry }, `audit: ${entry.kind} ${entry.outcome}`);
    else
      this.#log.info(
        { auditBatch: { first: entries[0]!.seq, last: entries.at(-1)!.seq, kinds: countKinds(entries) } },
        `audit: ${entries.length} entries #${entries[0]!.seq}–#${entries.at(-1)!.seq}`,
      );
    if (entries.some((e) => WITNESSED_AT_ONCE.has(e.kind)) || entries.length > LOG_EACH_UP_TO)
      this.#witness(entries.at(-1)!);
    return entries;
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
