/** What the incident use cases (diagnose, summarise, resolve, handle alerts) need, and how they are shown. */
import type { Logger } from "pino";
import type { IncidentSummary } from "../core/incident-summary.ts";
import type { Scene } from "../core/chart/chart-scene.ts";
import type { Report } from "../core/findings.ts";
import type { Policy } from "../core/remediation/policy.ts";
import type { Proposal } from "../core/remediation/proposal.ts";
import type { Runbook } from "../core/runbook.ts";
import { type Subject, subjectOfTarget } from "../core/subject.ts";
import type { DiagnosisDeps } from "../engine/run-diagnosis.ts";
import type { ResolvedTarget } from "../engine/resolve-target.ts";
import type { Chat, ChatMessage, Incident, Store, Telemetry } from "../ports.ts";
import type { ProfileView } from "./profile-heap.ts";
import type { Digest, DigestOffer } from "../core/watch/digest.ts";
import type { Mute } from "../core/watch/mutes.ts";
import type { AuditLog } from "./audit-trail.ts";

/** The parent message while the runbook runs. */
export interface ProgressView {
  target: string;
  requestedBy: string;
  done: number;
  total: number;
  finished: string[];
}

/** The incident's messages, as the chat renders them (Block Kit in Slack). */
export interface IncidentView {
  progress(p: ProgressView): ChatMessage;
  /** in an open incident's thread: a new diagnosis is starting */
  rediagnosis(label: string, requestedBy: string): ChatMessage;
  report(r: Report): ChatMessage[];
  /** the parent: the incident's live summary, with the remediations offered and its own buttons */
  verdict(r: Report, requestedBy: string, offers: readonly Proposal[], incidentId: string): ChatMessage;
  chartFailed(title: string, reason: string): ChatMessage;
  summary(s: IncidentSummary, final: boolean): ChatMessage;
  /** the parent once resolved: no more buttons */
  resolvedParent(parent: ChatMessage, by: string): ChatMessage;
  alertResolved(name: string, firingSince: string): ChatMessage;
  /** on the parent of an incident the fleet watch opened: snooze, until the next rollout, not a problem */
  watchActions(incidentId: string): ChatMessage["blocks"];
  /** in the thread: the watch keeps quiet about the workload, and until when */
  watchMuted(label: string, how: string): ChatMessage;
  /** past the daily cap: one message for a namespace's further warnings, each a line */
  watchGroup(namespace: string, lines: readonly { label: string; text: string }[], dailyCap: number): ChatMessage;
  /** a thread of its own for a heap profile of a workload with no open incident here */
  profileStarted(subject: string, pod: string, requestedBy: string): ChatMessage;
  /** a heap profile's top functions; with a second profile, what grew between them */
  heapProfile(p: ProfileView, top: number): ChatMessage;
  profileFailed(what: string, reason: string): ChatMessage;
  /** the rightsizing digest of a channel's namespaces */
  digest(
    d: Digest,
    scopes: readonly string[],
    mutes: readonly Mute[],
    incidents: readonly Incident[],
    offers: readonly DigestOffer[],
  ): ChatMessage;
}

export interface IncidentDeps {
  audit: AuditLog;
  chat: Chat;
  store: Store;
  diagnosis: DiagnosisDeps;
  runbooks: readonly Runbook[];
  /** remediations are offered under a verdict only with a policy */
  policy: Policy | null;
  newId: () => string;
  log: Logger;
  view: IncidentView;
  /** an SVG chart as PNG bytes (rendered outside the core: a WebAssembly rasteriser in a worker) */
  drawChart(scene: Scene): Promise<Uint8Array>;
  /** memops's own metrics; none recorded when absent */
  telemetry?: Telemetry;
}

/** The incident a diagnosis belongs to: the workload behind the target, else what was asked for. */
export function incidentSubject(t: ResolvedTarget): Subject {
  if (t.workload) return { ...t.workload, namespace: t.namespace };
  return subjectOfTarget({ kind: t.kind, name: t.name, namespace: t.namespace, selector: t.name });
}
