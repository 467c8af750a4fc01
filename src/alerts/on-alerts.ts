import type { Logger } from "pino";
import type { AuditTrail } from "../app/audit-trail.ts";
import type { Runbook } from "../core/runbook.ts";
import { auditName, type Target } from "../core/target.ts";
import type { Chat, Clock, Store } from "../ports.ts";
import { diagnoseInThread, incidentKey, type ThreadDeps } from "../slack/diagnose-in-thread.ts";
import { resolveTarget } from "../engine/resolve-target.ts";
import { sections } from "../slack/render/blocks.ts";
import { esc } from "../slack/render/mrkdwn.ts";
import { alertTarget } from "./alert-target.ts";
import type { Alert, AlertmanagerPayload } from "./alertmanager-payload.ts";

export interface AlertDeps {
  thread: ThreadDeps;
  chat: Chat;
  store: Store;
  clock: Clock;
  audit: AuditTrail;
  channel: string;
  windowSeconds: number;
  log: Logger;
}

const runbookFor = (runbooks: readonly Runbook[], name: string) => runbooks.find((r) => r.match.alerts.includes(name));

/** An alert about one pod is about its workload: diagnose all its replicas, in the workload's incident. */
async function workloadOf(d: AlertDeps, t: Target): Promise<Target> {
  if (t.kind !== "pod") return t;
  const r = await resolveTarget(d.thread.diagnosis.cluster, t);
  return r.ok && r.value.workload
    ? { kind: r.value.workload.kind, name: r.value.workload.name, namespace: t.namespace }
    : t;
}

/**
 * One Alertmanager notification: each alert is recorded; a new firing alert whose name a runbook maps
 * opens (or joins) its workload's incident thread with that runbook, one diagnosis per workload even
 * when the group carries several alerts; a repeat of the same alert does nothing; `resolved` is said
 * in the thread.
 */
export async function handleAlerts(d: AlertDeps, payload: AlertmanagerPayload): Promise<void> {
  const now = d.clock.now() / 1000;
  const fresh: { alert: Alert; name: string; runbook: Runbook; target: ReturnType<typeof alertTarget> & object }[] = [];
  for (const a of payload.alerts) {
    const name = a.labels["alertname"] ?? "(unnamed)";
    const target = alertTarget(a.labels);
    const runbook = runbookFor(d.thread.runbooks, name);
    const isNew = await d.store.markAlertSeen(a.fingerprint, a.startsAt, a.status, now);
    const outcome = !isNew
      ? "repeat: ignored"
      : !runbook
        ? "no runbook maps this alert"
        : !target
          ? "no workload in its labels"
          : a.status === "firing"
            ? "diagnosing"
            : "resolved";
    // Recorded under the workload (a pod's owner), so it belongs to the workload's incident timeline.
    await d.audit.record({
      kind: "alert",
      slackUser: null,
      target: target ? auditName(await workloadOf(d, target)) : null,
      what: `${name} ${a.status}`,
      outcome,
      details: { fingerprint: a.fingerprint, startsAt: a.startsAt, groupKey: payload.groupKey, labels: a.labels },
    });
    if (isNew && runbook && target) fresh.push({ alert: a, name, runbook, target });
  }
  const firing = new Map<string, typeof fresh>();
  for (const f of fresh.filter((x) => x.alert.status === "firing")) {
    const key = `${auditName(await workloadOf(d, f.target)) ?? ""}|${f.runbook.id}`;
    firing.set(key, [...(firing.get(key) ?? []), f]);
  }
  for (const group of firing.values()) {
    const first = group[0];
    if (!first) continue;
    const names = [...new Set(group.map((g) => g.name))].join(", ");
    const r = await diagnoseInThread(
      d.thread,
      { target: await workloadOf(d, first.target), windowSeconds: d.windowSeconds, runbookId: first.runbook.id },
      d.channel,
      `Alertmanager (${names})`,
    );
    if (!r.ok) d.log.warn({ alert: names, reason: r.error }, "alert not diagnosed");
  }
  for (const f of fresh.filter((x) => x.alert.status === "resolved")) {
    // A resolved alert speaks in the thread of its workload's open incident (a pod's through its owner).
    const resolved = await resolveTarget(d.thread.diagnosis.cluster, f.target);
    const key = resolved.ok ? incidentKey(resolved.value) : auditName(f.target);
    const incident = key ? await d.store.openIncident(key, d.channel) : null;
    if (incident)
      await d.chat.post(
        d.channel,
        {
          text: `${f.name} resolved`,
          blocks: sections(`:white_check_mark: *${esc(f.name)}* resolved (firing since ${esc(f.alert.startsAt)})`),
        },
        incident.threadTs,
      );
  }
}
