/** The interfaces the engine needs, in its own words. Adapters implement them; tests fake them. */
import type { ClusterEvent, NodeInfo, Pod, Sample, WorkloadObject } from "./core/model.ts";
import type { Proposal, ProposalStatus } from "./core/remediation/proposal.ts";
import type { AuditEntry, AuditEvent } from "./core/audit.ts";
import type { PreflightFacts } from "./core/remediation/preflight.ts";
import type { WorkloadKind } from "./core/target.ts";
import type { Subject } from "./core/subject.ts";
import type { Mute } from "./core/watch/mutes.ts";
import type { Candidate, PrefilterOptions } from "./core/watch/prefilter-query.ts";
import type { JsonPatchOp } from "./core/remediation/json-patch.ts";
import type { FunctionBytes } from "./core/profile/heap-profile.ts";

/** `conflict`: a precondition of a patch no longer holds (the object changed since the proposal was made) */
export type PortErrorCode = "not-found" | "forbidden" | "unavailable" | "timeout" | "invalid" | "conflict";

/** An expected failure of a dependency, already translated into a short message without response bodies. */
export class PortError extends Error {
  readonly code: PortErrorCode;
  readonly dependency: string;
  constructor(dependency: string, code: PortErrorCode, message: string) {
    super(message);
    this.name = "PortError";
    this.code = code;
    this.dependency = dependency;
  }
}

/** What memops measures about itself (Prometheus format at /metrics); NO_TELEMETRY records nothing. */
export interface Telemetry {
  diagnosis(
    outcome: "ok" | "failed",
    seconds: number,
    steps: readonly { kind: string; status: string; seconds: number }[],
  ): void;
  slackCall(method: string, outcome: "ok" | "error" | "ratelimited"): void;
  /** entries appended together, and how long the store took */
  audit(entries: readonly { kind: string; outcome: string }[], seconds: number): void;
  alerts(received: readonly { status: string }[]): void;
}

export const NO_TELEMETRY: Telemetry = {
  diagnosis: () => undefined,
  slackCall: () => undefined,
  audit: () => undefined,
  alerts: () => undefined,
};

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export interface Autoscaler {
  name: string;
  minReplicas: number;
  maxReplicas: number;
}

export interface Page<T> {
  items: T[];
  continueToken: string | null;
}

export interface PodQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit: number;
  continueToken?: string;
}

export interface Cluster {
  /** null when it does not exist */
  getPod(namespace: string, name: string): Promise<Pod | null>;
  getWorkload(namespace: string, kind: WorkloadKind | "replicaset", name: string): Promise<WorkloadObject | null>;
  listReplicaSets(namespace: string, labelSelector: string): Promise<WorkloadObject[]>;
  /** namespace null lists across all namespaces */
  listPods(namespace: string | null, query: PodQuery): Promise<Page<Pod>>;
  listEvents(namespace: string | null, fieldSelector: string, limit: number): Promise<ClusterEvent[]>;
  getNode(name: string): Promise<NodeInfo | null>;
  /** the pods on a node that have not finished, and the memory they request (as the scheduler counts it) */
  nodeRequests(node: string): Promise<{ pods: number; requestedBytes: number }>;
  readLog(
    namespace: string,
    pod: string,
    container: string,
    options: { previous: boolean; tailLines: number },
  ): Promise<string>;
  /**
   * GET a path on a pod's port through the API server's pod proxy (`pods/proxy`: it reaches any port of
   * the pod), as bytes: at most `maxBytes` (PortError "invalid" beyond), within `timeoutMs` ("timeout")
   */
  podProxyGet(
    namespace: string,
    pod: string,
    port: number,
    path: string,
    options: { maxBytes: number; timeoutMs: number; query?: Record<string, string> },
  ): Promise<Uint8Array>;
  /** current working set per "pod/container" from metrics.k8s.io; null when the cluster does not serve it */
  currentUsage(namespace: string): Promise<Map<string, number> | null>;
  /** how many objects of a kind exist (namespace null: cluster-wide); `estimated` when the server only estimated it */
  countObjects(
    apiVersion: string,
    kind: string,
    namespace: string | null,
  ): Promise<{ count: number; estimated: boolean }>;
  /**
   * applies a JSON Patch atomically (server-side dry run when asked) and returns the object as the server
   * has it; a failed `test` throws PortError "conflict" and changes nothing
   */
  patchWorkload(ref: WorkloadRef, ops: readonly JsonPatchOp[], options: { dryRun: boolean }): Promise<WorkloadObject>;
  /** a Flux HelmRelease's resourceVersion (what a change to it is preconditioned on); null when there is none */
  helmReleaseVersion(ref: { namespace: string; name: string }): Promise<string | null>;
  /**
   * merge-patches a Flux HelmRelease (helm.toolkit.fluxcd.io/v2), server-side dry run when asked; returns
   * its generation. A patch carrying metadata.resourceVersion is refused ("conflict") if it changed since.
   */
  patchHelmRelease(
    ref: { namespace: string; name: string },
    patch: Record<string, unknown>,
    options: { dryRun: boolean },
  ): Promise<number>;
  /** the HorizontalPodAutoscaler whose scaleTargetRef is this workload, if any */
  autoscalerFor(ref: WorkloadRef): Promise<Autoscaler | null>;
  /** JSON-patches a HorizontalPodAutoscaler (autoscaling/v2) like patchWorkload; returns its maxReplicas after */
  patchAutoscaler(
    ref: { namespace: string; name: string },
    ops: readonly JsonPatchOp[],
    options: { dryRun: boolean },
  ): Promise<number>;
  /** what can make an approved change fail later: LimitRanges, ResourceQuotas, node sizes, the HPA */
  preflightFacts(ref: WorkloadRef): Promise<PreflightFacts>;
  /** SubjectAccessReview: may this Kubernetes identity do this? */
  mayDo(
    identity: { user: string; groups: readonly string[] },
    action: { verb: string; group: string; resource: string; subresource?: string; namespace: string; name: string },
  ): Promise<boolean>;
  /** the API server's version; throws when it cannot be reached (readiness) */
  version(): Promise<string>;
}

export interface ContainerMemory {
  pod: string;
  container: string;
  workingSet: Sample[];
  rss: Sample[];
  restarts: Sample[];
  /** the pod's memory limit as kube-state-metrics reports it; empty when Prometheus has no such series */
  limit: Sample[];
}

export interface MemoryRangeQuery {
  namespace: string;
  /** anchored regex of pod names; null for the whole namespace */
  podPattern: string | null;
  start: number;
  end: number;
  stepSeconds: number;
}

export interface MemoryMetrics {
  /** one query for all containers of a workload */
  containerMemory(query: MemoryRangeQuery): Promise<ContainerMemory[]>;
  evaluate(query: string, at: number): Promise<{ labels: Record<string, string>; value: number }[]>;
  /** any PromQL over a range (the correlation and the runtime breakdown); at most `maxSeries` series, else "invalid" */
  range(
    query: string,
    r: { start: number; end: number; stepSeconds: number; maxSeries: number },
  ): Promise<{ labels: Record<string, string>; points: Sample[] }[]>;
  /** the fleet watch's prefilter: the containers worth a full analysis (on Prometheus, one instant query) */
  fleetCandidates(o: PrefilterOptions, at: number): Promise<Candidate[]>;
}

export interface Clock {
  /** Unix seconds (fractional): the unit of every time memops stores, compares and shows */
  now(): number;
}

/** Where proposals (and later incidents and the audit log) live; shared by all replicas. */
export interface Store {
  insertProposal(p: Proposal): Promise<void>;
  proposal(id: string): Promise<Proposal | null>;
  /**
   * Saves `next` only if the stored proposal is still at `expectedVersion` (compare-and-set), and
   * returns it with its new version; null when someone else changed it first. This is what makes a
   * decision happen exactly once, whatever the number of clicks or replicas.
   */
  updateProposal(next: Proposal, expectedVersion: number): Promise<Proposal | null>;
  /** the parent (verdict) message of a thread, as last posted, so later events can update it */
  saveParent(channel: string, ts: string, message: ChatMessage): Promise<void>;
  parent(channel: string, ts: string): Promise<ChatMessage | null>;
  /** appends to the hash-chained audit log, atomically, and returns the entry once it is durable */
  appendAudit(event: AuditEvent): Promise<AuditEntry>;
  /** appends several entries, in order, in one transaction (an alert storm is one write, not thousands) */
  appendAudits(events: readonly AuditEvent[]): Promise<AuditEntry[]>;
  /** the last entry's seq and hash as recorded with each append (null before the first) */
  auditHead(): Promise<{ seq: number; hash: string } | null>;
  /** audit entries in order; `since` in Unix seconds, `target` exact */
  auditEntries(filter?: { since?: number; target?: Subject; limit?: number }): Promise<AuditEntry[]>;
  /** the open incident of a workload in a channel */
  openIncident(subject: Subject, channel: string): Promise<Incident | null>;
  /** every open incident in a channel, oldest first */
  openIncidents(channel: string): Promise<Incident[]>;
  /** opens one; false when the workload already has an open incident there (another request won) */
  createIncident(i: Incident): Promise<boolean>;
  resolveIncident(id: string, at: number): Promise<void>;
  incident(id: string): Promise<Incident | null>;
  /** true the first time this alert (fingerprint, start) is seen with this status */
  /** remembers alerts (fingerprint, start, status) in one transaction; for each, whether it is new */
  markAlertsSeen(
    alerts: readonly { fingerprint: string; startsAt: string; status: string }[],
    at: number,
  ): Promise<boolean[]>;
  /**
   * remembers a signed request's signature until `until` (Unix seconds); false when it was already seen
   * (a replay). Forgets signatures whose time has passed.
   */
  markRequestSeen(signature: string, until: number, now: number): Promise<boolean>;
  /** a verification watch, owned by one replica under a lease */
  startWatch(w: Watch): Promise<void>;
  /** takes over one watching row whose lease has run out (its replica died), or null */
  claimExpiredWatch(owner: string, now: number, leaseUntil: number): Promise<Watch | null>;
  /** extends the lease; false when another replica has taken the watch over */
  renewWatch(proposalId: string, owner: string, leaseUntil: number): Promise<boolean>;
  /** marks it done; false when another replica owns it now (then only that one reports) */
  finishWatch(proposalId: string, owner: string): Promise<boolean>;
  /**
   * holds the named lease for `owner` until `until`: true when it was free, expired or already this
   * owner's (renewed); false while another owner holds it
   */
  tryLease(name: string, owner: string, now: number, until: number): Promise<boolean>;
  /** the fleet watch's warnings whose episode is still open */
  watchWarnings(): Promise<WatchWarning[]>;
  /** records a warning; false when the workload already has one open in that channel (another pass won) */
  recordWatchWarning(w: WatchWarning): Promise<boolean>;
  /** the episode is over (the workload is no longer a candidate): the next one warns again */
  endWatchWarning(subject: Subject, channel: string): Promise<void>;
  /** snoozes or marks "not a problem" (replacing what was there for that workload and channel) */
  muteWatch(m: WatchMute): Promise<void>;
  watchMutes(): Promise<WatchMute[]>;
  unmuteWatch(subject: Subject, channel: string): Promise<void>;
  /** the re-checks of an executed remediation (a day and a week after it); a repeat changes nothing */
  scheduleFixChecks(proposalId: string, checks: readonly { afterSeconds: number; dueAt: number }[]): Promise<void>;
  /** takes one due re-check nobody holds (or whose holder's lease ran out), or null */
  claimDueFixCheck(owner: string, now: number, leaseUntil: number): Promise<FixCheck | null>;
  /** marks it done; false when another replica holds it now */
  finishFixCheck(proposalId: string, afterSeconds: number, owner: string): Promise<boolean>;
  /** the second heap profile a `--compare` promised, on record until it is posted; a repeat changes nothing */
  scheduleProfileCompare(c: ProfileCompare): Promise<void>;
  /**
   * takes the comparison `id` (due or not), or without an id one that is due, if nobody holds it (or its
   * holder's lease ran out); null otherwise
   */
  claimProfileCompare(owner: string, now: number, leaseUntil: number, id?: string): Promise<ProfileCompare | null>;
  /** marks it posted; false when another replica holds it now */
  finishProfileCompare(id: string, owner: string): Promise<boolean>;
  /** a workload's proposals in one status, oldest first */
  proposalsFor(target: WorkloadRef, status: ProposalStatus): Promise<Proposal[]>;
  /** proposals in one status, oldest first (at most 500) */
  proposalsInStatus(status: ProposalStatus): Promise<Proposal[]>;
  /** pending proposals whose expiry has passed */
  expiredProposals(now: number): Promise<Proposal[]>;
  close(): Promise<void>;
}

/** One thread per workload while it is open: diagnoses, alerts and remediations for it all go there. */
export interface Incident {
  id: string;
  /** the workload (or pod, namespace, selection) the incident is about */
  subject: Subject;
  channel: string;
  threadTs: string;
  status: "open" | "resolved";
  openedAt: number;
  resolvedAt: number | null;
}

/** A warning the fleet watch posted, open until its episode ends. */
export interface WatchWarning {
  subject: Subject;
  channel: string;
  warnedAt: number;
  threadTs: string;
}

/** The watch keeps quiet about a workload: for a while, until its next rollout, or for good. */
export type WatchMute = Mute;

/** A re-check of an executed remediation, due `afterSeconds` after it. */
export interface FixCheck {
  proposalId: string;
  afterSeconds: number;
  dueAt: number;
}

/**
 * A heap profile comparison waiting for its second profile (`/mem profile … --compare`, the Capture heap
 * profile button): the first profile's functions and where the thread is, so that a restart in between
 * still ends with the growth in the thread.
 */
export interface ProfileCompare {
  id: string;
  dueAt: number;
  subject: Subject;
  channel: string;
  threadTs: string;
  /** who asked */
  user: string;
  namespace: string;
  pod: string;
  /** why this pod */
  podReason: string;
  port: number;
  path: string;
  compareSeconds: number;
  first: { sampleType: string; totalBytes: number; takenAt: number | null; functions: FunctionBytes[] };
}

export interface Watch {
  proposalId: string;
  startedAt: number;
  windowSeconds: number;
  owner: string;
  leaseUntil: number;
}

/** Slack user groups, as far as the policy names them. */
export interface Directory {
  groupsOf(user: string): Promise<string[]>;
}

/** A chat message: `text` is the notification and screen-reader fallback, always present. */
export interface ChatMessage {
  text: string;
  blocks: (Record<string, unknown> & { type: string })[];
}

/** A file to share in a thread (a chart, a CSV); `altText` is what a screen reader says (≤ 1,000 characters). */
export interface ChatFile {
  filename: string;
  title: string;
  altText: string;
  bytes: Uint8Array;
}

export interface Chat {
  /** posts in the channel (or in a thread when threadTs is given) and returns the message ts */
  post(channel: string, message: ChatMessage, threadTs?: string): Promise<string>;
  update(channel: string, ts: string, message: ChatMessage): Promise<void>;
  /** a message only this user sees, in the thread they are in when threadTs is given */
  whisper(channel: string, user: string, message: ChatMessage, threadTs?: string): Promise<void>;
  /** uploads a file into a thread */
  upload(channel: string, threadTs: string, file: ChatFile): Promise<void>;
}
