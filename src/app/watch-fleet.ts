/**
 * One pass of the fleet watch (issue 15): the replica holding the lease asks Prometheus for the
 * candidates (one query for the whole fleet), runs memops's full analysis on each candidate workload
 * only, and warns — in a new incident thread, with the chart and the remediations the verdict justifies
 * behind the same approval — when a container will reach its limit within the horizon. One warning per
 * workload per episode (until it stops being a candidate); none while an incident is already open for
 * it (an alert got there first); at most the daily cap per channel, the rest counted in the audit log.
 */
import { sectionData } from "../core/findings.ts";
import { type Subject, subjectKey, subjectOfTarget } from "../core/subject.ts";
import type { Target } from "../core/target.ts";
import { describeMute, type Mute, mutedBy } from "../core/watch/mutes.ts";
import { judgeWorkload, type WatchVerdict } from "../core/watch/warning.ts";
import { postedByWatch } from "../core/watch/warned.ts";
import { type WatchConfig, watchChannel, watchedPatterns, watchesNamespace } from "../core/watch/watch-config.ts";
import { resolveTarget } from "../engine/resolve-target.ts";
import { diagnose } from "../engine/run-diagnosis.ts";
import type { MemoryMetrics } from "../ports.ts";
import { postIncident } from "./diagnose-incident.ts";
import type { IncidentDeps } from "./incident-deps.ts";

const WATCH_LEASE = "fleet-watch";
const DAY = 86_400;
/** what the threads say asked for the diagnosis */
const WATCH_REQUESTER = "the memory watch";

export interface WatchDeps {
  incidents: IncidentDeps;
  metrics: MemoryMetrics;
  config: WatchConfig;
  /** this replica, as the lease names it */
  owner: string;
}

export interface WatchPass {
  /** false when another replica holds the lease */
  scanned: boolean;
  candidates: number;
  /** "deployment/checkout -n shop: …" per warning or incident posted */
  posted: string[];
  /** workloads analysed and left alone, with why */
  quiet: string[];
}

interface Workload {
  target: Target;
  subject: Subject;
  channel: string;
}

/** Each candidate pod's workload (one lookup per pod), each workload once, in the channel its labels pick. */
async function workloadsOf(d: WatchDeps, pods: { namespace: string; pod: string }[]): Promise<Workload[]> {
  const out = new Map<string, Workload>();
  for (const p of pods) {
    if (!watchesNamespace(d.config, p.namespace)) continue;
    const r = await resolveTarget(d.incidents.diagnosis.cluster, { kind: "pod", name: p.pod, namespace: p.namespace });
    if (!r.ok) continue; // the pod is gone since Prometheus saw it
    const labels = r.value.pods.find((x) => x.name === p.pod)?.labels ?? {};
    const channel = watchChannel(d.config, p.namespace, labels);
    if (!channel) continue; // its labels match no target's selector
    const target: Target = r.value.workload
      ? { kind: r.value.workload.kind, name: r.value.workload.name, namespace: p.namespace }
      : { kind: "pod", name: p.pod, namespace: p.namespace };
    const subject = subjectOfTarget(target);
    out.set(slot(subject, channel), { target, subject, channel });
  }
  return [...out.values()];
}

/** one workload in one channel */
const slot = (s: Subject, channel: string) => `${subjectKey(s)}|${channel}`;

const label = (w: Workload) => `${w.target.kind}/${w.target.name} -n ${w.target.namespace}`;

export async function watchFleet(d: WatchDeps): Promise<WatchPass> {
  const { store, diagnosis, audit, runbooks, log } = d.incidents;
  const now = diagnosis.clock.now();
  const pass: WatchPass = { scanned: false, candidates: 0, posted: [], quiet: [] };
  // the lease outlives a pass that runs long, so a second replica never starts one beside it
  if (!(await store.tryLease(WATCH_LEASE, d.owner, now, now + 2 * d.config.every))) return pass;
  pass.scanned = true;
  const candidates = await d.metrics.fleetCandidates(
    { namespaces: watchedPatterns(d.config), horizonSeconds: d.config.horizon, minShare: d.config.minShare },
    now,
  );
  pass.candidates = candidates.length;
  const workloads = await workloadsOf(d, candidates);
  const current = new Set(workloads.map((w) => slot(w.subject, w.channel)));
  const warned = await store.watchWarnings();
  // an episode ends when the workload is no longer a candidate: the next time it is, it warns again
  for (const w of warned)
    if (!current.has(slot(w.subject, w.channel))) await store.endWatchWarning(w.subject, w.channel);
  const open = new Set(warned.map((w) => slot(w.subject, w.channel)));
  const today = await store.auditEntries({ since: now - DAY });
  const sent = new Map<string, number>();
  for (const e of today)
    if (postedByWatch(e)) {
      const channel = typeof e.details["channel"] === "string" ? e.details["channel"] : "";
      sent.set(channel, (sent.get(channel) ?? 0) + 1);
    }
  const mutes = await store.watchMutes();
  for (const w of workloads) {
    if (open.has(slot(w.subject, w.channel))) continue;
    const muted = await mutedNow(d, mutes, w, now);
    if (muted) {
      pass.quiet.push(`${label(w)}: ${describeMute(muted)}`);
      continue;
    }
    if (await store.openIncident(w.subject, w.channel)) continue;
    const result = await diagnose(diagnosis, runbooks, { target: w.target, windowSeconds: d.config.window }, () => {});
    if (!result.ok) {
      log.warn({ target: label(w), reason: result.error }, "watch: could not analyse a candidate");
      continue;
    }
    const report = result.value;
    const verdict = judgeWorkload(sectionData(report.sections, "memory-trend")?.rows ?? [], d.config);
    if (verdict.kind === "quiet") {
      pass.quiet.push(`${label(w)}: ${verdict.reason}`);
      continue;
    }
    if ((sent.get(w.channel) ?? 0) >= d.config.dailyCap) {
      await record(d, w, verdict, "capped");
      continue;
    }
    const headline = verdict.text;
    const posted = await postIncident(
      d.incidents,
      {
        ...report,
        verdict: {
          ...report.verdict,
          severity: verdict.kind === "incident" ? "critical" : "warning",
          headline,
        },
      },
      w.target,
      w.channel,
      WATCH_REQUESTER,
      true,
    );
    if (!posted) continue;
    // recorded after posting: a pass that dies in between warns again next time rather than never
    await store.recordWatchWarning({
      subject: w.subject,
      channel: w.channel,
      warnedAt: now,
      threadTs: posted.threadTs,
    });
    await record(d, w, verdict, verdict.kind);
    sent.set(w.channel, (sent.get(w.channel) ?? 0) + 1);
    pass.posted.push(`${label(w)}: ${headline}`);
  }
  if (pass.candidates > 0)
    await audit.record({
      kind: "watch",
      slackUser: null,
      target: null,
      what: `fleet pass over ${watchedPatterns(d.config).join(", ")}`,
      outcome: `${pass.candidates} candidates, ${pass.posted.length} posted`,
      details: { owner: d.owner, candidates: pass.candidates, posted: pass.posted, quiet: pass.quiet },
    });
  return pass;
}

/** The mute in force for a workload; "until the next rollout" reads the workload's generation now. */
async function mutedNow(d: WatchDeps, mutes: readonly Mute[], w: Workload, now: number): Promise<Mute | null> {
  const rollout = mutes.some((m) => m.kind === "until-rollout" && subjectKey(m.subject) === subjectKey(w.subject));
  const kind = w.target.kind;
  const generation =
    rollout && (kind === "deployment" || kind === "statefulset" || kind === "daemonset")
      ? ((await d.incidents.diagnosis.cluster.getWorkload(w.target.namespace, kind, w.target.name ?? ""))?.rollout
          .generation ?? null)
      : null;
  return mutedBy(mutes, w.subject, w.channel, now, generation);
}

const record = (d: WatchDeps, w: Workload, v: Exclude<WatchVerdict, { kind: "quiet" }>, outcome: string) =>
  d.incidents.audit.record({
    kind: "watch",
    slackUser: null,
    target: w.subject,
    what: v.text,
    outcome,
    details: { channel: w.channel, container: v.row.container, pod: v.row.pod },
  });
