import type { Proposal } from "../../../core/remediation/proposal.ts";
import type { Cluster } from "../../../ports.ts";

/** The object an approval changes: the approver must be allowed to patch it themselves. */
export interface ChangedObject {
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

/**
 * How one route applies an approved proposal. Every method goes through the Cluster port and throws
 * its PortErrors; `conflict` means the object is no longer what the card was made from.
 */
export interface Executor {
  object(p: Proposal): ChangedObject;
  /** exactly what is sent, for the intent in the audit log */
  sent(p: Proposal): unknown;
  /** a server-side dry run, described for the card */
  dryRun(c: Cluster, p: Proposal): Promise<string>;
  /** the change itself, described for "Done" */
  apply(c: Cluster, p: Proposal): Promise<string>;
  /** after a crash: is the change in effect on the cluster? null when this route cannot tell */
  inEffect(c: Cluster, p: Proposal): Promise<boolean | null>;
  /** after a refused precondition: what is different now, in the card's terms */
  drift(c: Cluster, p: Proposal): Promise<string>;
}
