import type { Logger } from "pino";
import type { Report } from "../core/findings.ts";
import type { Policy } from "../core/remediation/policy.ts";
import { err, ok, type Result } from "../core/result.ts";
import type { Runbook } from "../core/runbook.ts";
import { executedLimitChanges } from "../core/remediation/executed-changes.ts";
import { auditName, describeTarget, type WorkloadKind, workloadKey } from "../core/target.ts";
import { offerRemediations } from "../engine/remediation/offer.ts";
import type { ResolvedTarget } from "../engine/resolve-target.ts";
import { diagnose, type DiagnoseRequest, type DiagnosisDeps, type Progress } from "../engine/run-diagnosis.ts";
import { type Chat, PortError, type Store } from "../ports.ts";
import { latestWins } from "./latest-wins.ts";
import { postCharts } from "./post-charts.ts";
import { sections } from "./render/blocks.ts";
import { progressMessage, verdictMessage } from "./render/parent.ts";
import { remediationButtons } from "./render/remediation.ts";
import { reportMessages } from "./render/report.ts";
import { incidentButtons } from "./render/incident.ts";
import { sectionData } from "../core/findings.ts";
import { lastOomKill } from "../core/oom-addressed.ts";
import type { AuditLog } from "../app/audit-trail.ts";

export interface ThreadDeps {
  audit: AuditLog;
  chat: Chat;
  store: Store;
  diagnosis: DiagnosisDeps;
  runbooks: readonly Runbook[];
  policy: Policy | null;
  newId: () => string;
  log: Logger;
}

/** A fast diagnosis goes straight to the verdict: progress updates would only spend chat.update's rate limit. */
const PROGRESS_AFTER_MS = 1000;
const stepTitle = (p: Extract<Progress, { phase: "step" }>) =>
  `${p.title}${p.status === "unavailable" ? " (unavailable)" : ""}`;

/** The incident a diagnosis belongs to: the workload behind the target ("deployment/api -n shop"). */
export function incidentKey(t: ResolvedTarget): string {
  return t.workload
    ? workloadKey({ ...t.workload, namespace: t.namespace })
    : (auditName({ kind: t.kind, name: t.name, namespace: t.namespace }) ?? workloadKey(t));
}

/**
 * Runs a diagnosis and posts it into the workload's incident thread: a new parent message (the
 * incident's live summary) when none is open in this channel, else the open one, updated in place.
 * `requestedBy` is mrkdwn: a mention, or the alert that asked.
 */
export async function diagnoseInThread(
  d: ThreadDeps,
  req: DiagnoseRequest,
  channel: string,
  requestedBy: string,
): Promise<Result<{ threadTs: string; report: Report }>> {
  const label = describeTarget(req.target);
  const log = d.log.child({ target: label, channel });
  const view = { target: label, requestedBy, done: 0, total: 0, finished: [] as string[] };
  let parent: Promise<{ ts: string; existing: boolean; incident: string; key: string }> | undefined;
  let postedAt = 0;
  const updates = latestWins(async (m: Parameters<Chat["update"]>[2]) => {
    const p = await (parent as Promise<{ ts: string; existing: boolean }>);
    if (!p.existing) await d.chat.update(channel, p.ts, m);
  });
  const limitChanges = async (w: { kind: WorkloadKind; name: string; namespace: string }) =>
    executedLimitChanges(await d.store.proposalsFor(workloadKey(w), "executed"));
  const result = await diagnose({ ...d.diagnosis, limitChanges }, d.runbooks, req, (p) => {
    if (p.phase === "started") {
      view.total = p.total;
      const key = incidentKey(p.target);
      parent = (async () => {
        const open = await d.store.openIncident(key, channel);
        if (open) {
          await d.chat.post(
            channel,
            {
              text: `New diagnosis of ${label}, requested by ${requestedBy}`,
              blocks: sections(`:mag: New diagnosis of *${label}*, requested by ${requestedBy}`),
            },
            open.threadTs,
          );
          return { ts: open.threadTs, existing: true, incident: open.id, key };
        }
        const ts = await d.chat.post(channel, progressMessage(view));
        const id = d.newId();
        await d.store.createIncident({
          id,
          workload: key,
          channel,
          threadTs: ts,
          status: "open",
          openedAt: d.diagnosis.clock.now() / 1000,
          resolvedAt: null,
        });
        return { ts, existing: false, incident: id, key };
      })();
      parent.catch(() => undefined); // awaited below, where its failure is reported
      postedAt = d.diagnosis.clock.now();
    } else if (parent) {
      view.done = p.done;
      view.finished.push(stepTitle(p));
      if (d.diagnosis.clock.now() - postedAt >= PROGRESS_AFTER_MS) updates.push(progressMessage(view));
    }
  });
  if (!result.ok) return err(`Could not diagnose ${label}: ${result.error}`);
  try {
    const { ts, incident, key } = await (parent as Promise<{
      ts: string;
      existing: boolean;
      incident: string;
      key: string;
    }>);
    for (const m of reportMessages(result.value)) await d.chat.post(channel, m, ts);
    await postCharts(d.chat, channel, ts, result.value, label, log);
    const runbook = d.runbooks.find((r) => r.id === result.value.runbook.id);
    const offers =
      d.policy && runbook
        ? await offerRemediations(
            { cluster: d.diagnosis.cluster, store: d.store, newId: d.newId },
            result.value,
            runbook,
            d.policy,
            { channel, threadTs: ts },
            d.diagnosis.clock.now() / 1000,
          ).catch((e: unknown) => {
            if (!(e instanceof PortError)) throw e;
            log.warn({ reason: e.message }, "no remediations offered");
            return [];
          })
        : [];
    await updates.idle();
    const verdict = verdictMessage(result.value, requestedBy, [
      ...remediationButtons(offers),
      ...incidentButtons(incident),
    ]);
    const trend = sectionData(result.value.sections, "memory-trend");
    await d.audit.record({
      kind: "diagnosis",
      slackUser: null,
      target: key,
      what: `${result.value.runbook.id} on ${label} (requested by ${requestedBy})`,
      outcome: result.value.verdict.headline,
      details: {
        incident,
        severity: result.value.verdict.severity,
        points: result.value.verdict.points,
        runbook: result.value.runbook.id,
        classification: trend?.rows[0]?.analysis.classification ?? null,
        lastOomAt: lastOomKill(result.value.sections),
      },
    });
    // what was last done stays on the parent: a new diagnosis adds to the incident, it does not replace it
    const last = (await d.store.parent(channel, ts))?.blocks.find((b) => b["block_id"] === "last-action");
    if (last) verdict.blocks.push(last);
    await d.chat.update(channel, ts, verdict);
    await d.store.saveParent(channel, ts, verdict);
    return ok({ threadTs: ts, report: result.value });
  } catch (e) {
    if (!(e instanceof PortError)) throw e;
    log.warn({ code: e.code, reason: e.message }, "could not post the report");
    return err(`The diagnosis of ${label} finished, but it could not be posted: ${e.message}`);
  }
}
