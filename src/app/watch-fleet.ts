/**
 * One pass of the fleet watch (issue 15): the replica holding the lease asks Prometheus for the
 * candidates (one query for the whole fleet), runs memops's full analysis on each candidate workload
 * only, and warns — in a new incident thread, with the chart and the remediations the verdict justifies
 * behind the same approval — when a container will reach its limit within the horizon. One warning per
 * workload per episode (until it stops being a candidate); none while an incident is already open for
 * it (an alert got there first); at most the daily cap per channel, the rest in one message per
 * namespace (each line once an episode) and in the audit log.
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
  /** past the cap, by channel then namespace: posted together after the pass */
  const capped = new Map<string, Map<string, { w: Workload; v: Posted }[]>>();
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
      const byNs = capped.get(w.channel) ?? new Map<string, { w: Workload; v: Posted }[]>();
      byNs.set(w.target.namespace, [...(byNs.get(w.target.namespace) ?? []), { w, v: verdict }]);
      capped.set(w.channel, byNs);
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
  for (const [channel, byNs] of capped)
    for (const [namespace, items] of byNs) {
      // incidents first, then the soonest to reach their limits
      items.sort((a, b) => rank(a.v) - rank(b.v));
      const lines = items.map(({ w, v }) => ({
        label: `${w.target.kind}/${w.target.name} -n ${namespace}`,
        text: v.text,
      }));
      const ts = await d.incidents.chat.post(channel, d.incidents.view.watchGroup(namespace, lines, d.config.dailyCap));
      for (const { w, v } of items) {
        // one episode each, like a warning of its own: the next pass does not list them again
        await store.recordWatchWarning({ subject: w.subject, channel, warnedAt: now, threadTs: ts });
        await record(d, w, v, "capped");
        pass.posted.push(`${label(w)}: ${v.text} (grouped, past the daily cap)`);
      }
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

type Posted = Exclude<WatchVerdict, { kind: "quiet" }>;

const rank = (v: Posted) => (v.kind === "incident" ? -1 : (v.seconds ?? 0));

const record = (d: WatchDeps, w: Workload, v: Posted, outcome: string) =>
  d.incidents.audit.record({
    kind: "watch",
    slackUser: null,
    target: w.subject,
    what: v.text,
    outcome,
    details: { channel: w.channel, container: v.row.container, pod: v.row.pod },
  });
