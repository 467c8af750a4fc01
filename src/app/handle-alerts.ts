/**
 * One Alertmanager notification: each alert is recorded; a new firing alert whose name a runbook maps
 * opens (or joins) its workload's incident thread with that runbook, one diagnosis per workload even
 * when the group carries several alerts; a repeat of the same alert does nothing; `resolved` is said
 * in the thread.
 */
import { alertTarget } from "../core/alert-target.ts";
import type { Runbook } from "../core/runbook.ts";
import { subjectKey, subjectOfTarget } from "../core/subject.ts";
import type { Target } from "../core/target.ts";
import { resolveTarget } from "../engine/resolve-target.ts";
import type { Clock } from "../ports.ts";
import { diagnoseIncident } from "./diagnose-incident.ts";
import { type IncidentDeps, incidentSubject } from "./incident-deps.ts";

/** An alert as Alertmanager's webhook carries it (the adapter has validated the body). */
export interface Alert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  startsAt: string;
  fingerprint: string;
}

export interface AlertNotification {
  groupKey: string;
  alerts: readonly Alert[];
}

export interface AlertDeps {
  incidents: IncidentDeps;
  clock: Clock;
  /** where alert-opened incidents go */
  channel: string;
  windowSeconds: number;
}

interface Fresh {
  alert: Alert;
  name: string;
  runbook: Runbook;
  target: Target;
}

const runbookFor = (runbooks: readonly Runbook[], name: string) => runbooks.find((r) => r.match.alerts.includes(name));

/** An alert about one pod is about its workload: diagnose all its replicas, in the workload's incident. */
async function workloadOf(d: AlertDeps, t: Target): Promise<Target> {
  if (t.kind !== "pod") return t;
  const r = await resolveTarget(d.incidents.diagnosis.cluster, t);
  return r.ok && r.value.workload
    ? { kind: r.value.workload.kind, name: r.value.workload.name, namespace: t.namespace }
    : t;
}

/** The workload of each target, each pod looked up once however many alerts name it. */
function workloadsOf(d: AlertDeps): (t: Target) => Promise<Target> {
  const seen = new Map<string, Promise<Target>>();
  return (t) => {
    const key = subjectKey(subjectOfTarget(t));
    let w = seen.get(key);
    if (!w) seen.set(key, (w = workloadOf(d, t)));
    return w;
  };
}

const outcomeOf = (a: Alert, isNew: boolean, runbook: Runbook | undefined, target: Target | null): string =>
  !isNew
    ? "repeat: ignored"
    : !runbook
      ? "no runbook maps this alert"
      : !target
        ? "no workload in its labels"
        : a.status === "firing"
          ? "diagnosing"
          : "resolved";

/**
 * Records each alert under its workload (so it belongs to the incident's timeline), all of a
 * notification in two transactions however many alerts it carries; returns the new ones to act on.
 */
async function record(d: AlertDeps, n: AlertNotification, workload: (t: Target) => Promise<Target>): Promise<Fresh[]> {
  const isNew = await d.incidents.store.markAlertsSeen(n.alerts, d.clock.now());
  const seen = await Promise.all(
    n.alerts.map(async (a, i) => {
      const name = a.labels["alertname"] ?? "(unnamed)";
      const target = alertTarget(a.labels);
      const runbook = runbookFor(d.incidents.runbooks, name);
      const fresh = isNew[i] === true;
      return {
        a,
        name,
        target,
        runbook,
        fresh,
        entry: {
          kind: "alert" as const,
          slackUser: null,
          target: target ? subjectOfTarget(await workload(target)) : null,
          what: `${name} ${a.status}`,
          outcome: outcomeOf(a, fresh, runbook, target),
          details: { fingerprint: a.fingerprint, startsAt: a.startsAt, groupKey: n.groupKey, labels: a.labels },
        },
      };
    }),
  );
  await d.incidents.audit.recordAll(seen.map((s) => s.entry));
  return seen.flatMap(({ a, name, runbook, target, fresh }) =>
    fresh && runbook && target ? [{ alert: a, name, runbook, target }] : [],
  );
}

/** One diagnosis per workload and runbook, however many of the group's alerts are about it. */
async function diagnoseFiring(
  d: AlertDeps,
  firing: readonly Fresh[],
  workload: (t: Target) => Promise<Target>,
): Promise<void> {
  const groups = new Map<string, Fresh[]>();
  for (const f of firing) {
    const key = `${subjectKey(subjectOfTarget(await workload(f.target)))}|${f.runbook.id}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const group of groups.values()) {
    const first = group[0];
    if (!first) continue;
    const names = [...new Set(group.map((g) => g.name))].join(", ");
    const r = await diagnoseIncident(
      d.incidents,
      { target: await workload(first.target), windowSeconds: d.windowSeconds, runbookId: first.runbook.id },
      d.channel,
      `Alertmanager (${names})`,
    );
    if (!r.ok) d.incidents.log.warn({ alert: names, reason: r.error }, "alert not diagnosed");
  }
}

/** A resolved alert speaks in the thread of its workload's open incident (a pod's through its owner). */
async function sayResolved(d: AlertDeps, f: Fresh): Promise<void> {
  const resolved = await resolveTarget(d.incidents.diagnosis.cluster, f.target);
  const subject = resolved.ok ? incidentSubject(resolved.value) : subjectOfTarget(f.target);
  const incident = await d.incidents.store.openIncident(subject, d.channel);
  if (incident)
    await d.incidents.chat.post(d.channel, d.incidents.view.alertResolved(f.name, f.alert.startsAt), incident.threadTs);
}

export async function handleAlerts(d: AlertDeps, n: AlertNotification): Promise<void> {
  d.incidents.telemetry?.alerts(n.alerts);
  const workload = workloadsOf(d);
  const fresh = await record(d, n, workload);
  await diagnoseFiring(
    d,
    fresh.filter((x) => x.alert.status === "firing"),
    workload,
  );
  for (const f of fresh.filter((x) => x.alert.status === "resolved")) await sayResolved(d, f);
}
