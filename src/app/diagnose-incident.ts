import type { Report } from "../core/findings.ts";
import { sectionData } from "../core/findings.ts";
import { lastOomKill } from "../core/oom-addressed.ts";
import { executedLimitChanges } from "../core/remediation/executed-changes.ts";
import { ruleFor } from "../core/remediation/policy.ts";
import { err, ok, type Result } from "../core/result.ts";
import { type Subject, subjectOfTarget } from "../core/subject.ts";
import { describeTarget, type Target, type WorkloadKind } from "../core/target.ts";
import { offerRemediations } from "../engine/remediation/offer.ts";
import { diagnose, type DiagnoseRequest, type Progress } from "../engine/run-diagnosis.ts";
import { type ChatMessage, PortError } from "../ports.ts";
import { type IncidentDeps, incidentSubject, type ProgressView } from "./incident-deps.ts";
import { latestWins } from "./latest-wins.ts";
import { drawCharts, postCharts } from "./post-charts.ts";

/** A fast diagnosis goes straight to the verdict: progress updates would only spend chat.update's rate limit. */
const PROGRESS_AFTER_MS = 1000;
const stepTitle = (p: Extract<Progress, { phase: "step" }>) =>
  `${p.title}${p.status === "unavailable" ? " (unavailable)" : ""}`;

interface Thread {
  ts: string;
  /** an open incident's thread: its parent is updated only when the diagnosis is done */
  existing: boolean;
  incident: string;
  subject: Subject;
}

/** The workload's open incident thread in this channel, or a new one whose parent shows the progress. */
async function openThread(
  d: IncidentDeps,
  subject: Subject,
  channel: string,
  label: string,
  requestedBy: string,
  progress: ProgressView,
): Promise<Thread> {
  const open = await d.store.openIncident(subject, channel);
  if (open) {
    await d.chat.post(channel, d.view.rediagnosis(label, requestedBy), open.threadTs);
    return { ts: open.threadTs, existing: true, incident: open.id, subject };
  }
  const ts = await d.chat.post(channel, d.view.progress(progress));
  const id = d.newId();
  await d.store.createIncident({
    id,
    subject,
    channel,
    threadTs: ts,
    status: "open",
    openedAt: d.diagnosis.clock.now(),
    resolvedAt: null,
  });
  return { ts, existing: false, incident: id, subject };
}

/** The remediations the findings justify, when a policy allows any; a cluster that cannot say offers none. */
async function offersFor(d: IncidentDeps, report: Report, channel: string, threadTs: string, log: IncidentDeps["log"]) {
  const runbook = d.runbooks.find((r) => r.id === report.runbook.id);
  if (!d.policy || !runbook) return [];
  return offerRemediations(
    { cluster: d.diagnosis.cluster, store: d.store, newId: d.newId },
    report,
    runbook,
    d.policy,
    { channel, threadTs },
    d.diagnosis.clock.now(),
  ).catch((e: unknown) => {
    if (!(e instanceof PortError)) throw e;
    log.warn({ reason: e.message }, "no remediations offered");
    return [];
  });
}

/** The report in the thread, its charts, the remediations offered, the diagnosis on the record, the parent updated. */
async function publish(
  d: IncidentDeps,
  report: Report,
  thread: Thread,
  channel: string,
  label: string,
  requestedBy: string,
  log: IncidentDeps["log"],
): Promise<ChatMessage> {
  const { ts, incident, subject } = thread;
  // the charts render and the remediations are checked while the report is posted; the thread keeps its order
  const charts = drawCharts(d, report, label);
  const offered = offersFor(d, report, channel, ts, log);
  offered.catch(() => undefined); // awaited below, where its failure is reported
  for (const m of d.view.report(report)) await d.chat.post(channel, m, ts);
  await postCharts({ ...d, log }, channel, ts, await charts);
  const offers = await offered;
  const trend = sectionData(report.sections, "memory-trend");
  await d.audit.record({
    kind: "diagnosis",
    slackUser: null,
    target: subject,
    what: `${report.runbook.id} on ${label} (requested by ${requestedBy})`,
    outcome: report.verdict.headline,
    details: {
      incident,
      severity: report.verdict.severity,
      points: report.verdict.points,
      runbook: report.runbook.id,
      classification: trend?.rows[0]?.analysis.classification ?? null,
      lastOomAt: lastOomKill(report.sections),
    },
  });
  const verdict = d.view.verdict(report, requestedBy, offers, incident);
  // what was last done stays on the parent: a new diagnosis adds to the incident, it does not replace it
  const last = (await d.store.parent(channel, ts))?.blocks.find((b) => b["block_id"] === "last-action");
  if (last) verdict.blocks.push(last);
  return verdict;
}

/**
 * Runs a diagnosis and posts it into the workload's incident thread: a new parent message (the
 * incident's live summary) when none is open in this channel, else the open one, updated in place.
 * `requestedBy` is mrkdwn: a mention, or the alert that asked.
 */
export async function diagnoseIncident(
  d: IncidentDeps,
  req: DiagnoseRequest,
  channel: string,
  requestedBy: string,
): Promise<Result<{ threadTs: string; report: Report }>> {
  const label = describeTarget(req.target);
  const log = d.log.child({ target: label, channel });
  const progress: ProgressView = { target: label, requestedBy, done: 0, total: 0, finished: [] };
  let thread: Promise<Thread> | undefined;
  let postedAt = 0;
  const updates = latestWins(async (m: ChatMessage) => {
    const t = await (thread as Promise<Thread>);
    if (!t.existing) await d.chat.update(channel, t.ts, m);
  });
  const limitChanges = async (w: { kind: WorkloadKind; name: string; namespace: string }) =>
    executedLimitChanges(await d.store.proposalsFor(w, "executed"));
  const started = performance.now();
  // the next steps never propose a limit the policy would refuse to set
  const ceilingBytes = d.policy ? (ruleFor(d.policy, req.target.namespace, "raise-limit")?.limitCeiling ?? null) : null;
  const result = await diagnose({ ...d.diagnosis, limitChanges }, d.runbooks, { ...req, ceilingBytes }, (p) => {
    if (p.phase === "started") {
      progress.total = p.total;
      thread = openThread(d, incidentSubject(p.target), channel, label, requestedBy, progress);
      thread.catch(() => undefined); // awaited below, where its failure is reported
      postedAt = d.diagnosis.clock.now();
    } else if (thread) {
      progress.done = p.done;
      progress.finished.push(stepTitle(p));
      if ((d.diagnosis.clock.now() - postedAt) * 1000 >= PROGRESS_AFTER_MS) updates.push(d.view.progress(progress));
    }
  });
  d.telemetry?.diagnosis(
    result.ok ? "ok" : "failed",
    (performance.now() - started) / 1000,
    result.ok
      ? result.value.sections.map((s) => ({ kind: s.kind, status: s.status, seconds: (s.millis ?? 0) / 1000 }))
      : [],
  );
  if (!result.ok) return err(`Could not diagnose ${label}: ${result.error}`);
  try {
    const t = await (thread as Promise<Thread>);
    const verdict = await publish(d, result.value, t, channel, label, requestedBy, log);
    await updates.idle();
    await d.chat.update(channel, t.ts, verdict);
    await d.store.saveParent(channel, t.ts, verdict);
    return ok({ threadTs: t.ts, report: result.value });
  } catch (e) {
    if (!(e instanceof PortError)) throw e;
    log.warn({ code: e.code, reason: e.message }, "could not post the report");
    return err(`The diagnosis of ${label} finished, but it could not be posted: ${e.message}`);
  }
}

/**
 * Posts a diagnosis already made (the fleet watch's) as a new incident thread: the parent, the report,
 * its charts and the remediations it justifies, as a requested diagnosis would; null when the workload
 * already has an open incident in the channel (the watch stays silent then).
 */
export async function postIncident(
  d: IncidentDeps,
  report: Report,
  target: Target,
  channel: string,
  requestedBy: string,
  /** the watch's snooze and "not a problem" buttons on the parent */
  watchActions = false,
): Promise<{ threadTs: string } | null> {
  const subject = subjectOfTarget(target);
  if (await d.store.openIncident(subject, channel)) return null;
  const label = describeTarget(target);
  const log = d.log.child({ target: label, channel });
  const progress: ProgressView = { target: label, requestedBy, done: 0, total: 0, finished: [] };
  const t = await openThread(d, subject, channel, label, requestedBy, progress);
  if (t.existing) return null;
  const verdict = await publish(d, report, t, channel, label, requestedBy, log);
  if (watchActions) verdict.blocks.push(...d.view.watchActions(t.incident));
  await d.chat.update(channel, t.ts, verdict);
  await d.store.saveParent(channel, t.ts, verdict);
  return { threadTs: t.ts };
}
