/**
 * `/mem profile` and the *Capture heap profile* button (issue 16): memops fetches a Go heap profile
 * through the API server's pod proxy (`get` on `pods/proxy` in the namespace), parses it, and posts the
 * top functions by in-use bytes in the workload's incident thread (or a thread of its own), with the raw
 * profile attached for `go tool pprof`. With a compare interval it takes a second profile after it and
 * shows what grew, function by function — on record in the store before the wait, so that a restart in
 * between still ends with the growth in the thread (second-heap-profile.ts). Bounded: one profile at a
 * time per workload (a lease in the
 * store), a size cap and a timeout on each fetch; audited, since it touches a workload's debug port.
 */
import { type HeapProfile, profileFile, type ProfileDiff } from "../core/profile/heap-profile.ts";
import { err, ok, type Result } from "../core/result.ts";
import { type Subject, subjectKey } from "../core/subject.ts";
import type { Target } from "../core/target.ts";
import type { Pod } from "../core/model.ts";
import { resolveTarget } from "../engine/resolve-target.ts";
import { escapeRegex } from "../core/regex.ts";
import { formatBytes } from "../core/quantity.ts";
import { diagnose } from "../engine/run-diagnosis.ts";
import { sectionData } from "../core/findings.ts";
import { parseRunbook, type Runbook } from "../core/runbook.ts";
import { runtimeLines } from "../core/runtime-breakdown.ts";
import { keptProfile, PROFILE_TOP, takeSecondProfiles } from "./second-heap-profile.ts";
import { PROFILE_TIMEOUT_MS, takeHeapProfile } from "./take-heap-profile.ts";
import { mayDiagnose } from "./may-diagnose.ts";
import { PortError } from "../ports.ts";
import type { IncidentDeps } from "./incident-deps.ts";
import { incidentSubject } from "./incident-deps.ts";
import { Stopping } from "./stopping.ts";

/** slower than this over the last hour, no pod is "the growing one": the highest is profiled */
const MIN_GROWTH_PER_HOUR = 2 ** 20;

export interface ProfileRequest {
  target: Target;
  port: number;
  path: string;
  /** take a second profile this many seconds after the first and show the growth; null: one profile */
  compareSeconds: number | null;
}

/** What the thread shows of a profile run. */
export interface ProfileView {
  subject: Subject;
  pod: string;
  /** why this pod */
  podReason: string;
  port: number;
  path: string;
  first: HeapProfile;
  second: HeapProfile | null;
  diff: ProfileDiff | null;
}

export interface ProfileDeps {
  incidents: IncidentDeps;
  sleep: (ms: number) => Promise<void>;
}

/**
 * The pod to profile: the one named; else, of the workload's running pods, the one growing fastest
 * (the leak the verdict is about), else the one with the highest working set now.
 */
async function pickPod(d: IncidentDeps, pods: readonly Pod[], namespace: string): Promise<{ pod: Pod; why: string }> {
  const running = pods.filter((p) => p.phase === "Running");
  const candidates = running.length ? running : pods;
  const first = candidates[0];
  if (!first) throw new PortError("kubernetes", "not-found", "it has no pods");
  if (candidates.length === 1) return { pod: first, why: "its only pod" };
  const metrics = d.diagnosis.metrics;
  if (metrics) {
    const ws = `container_memory_working_set_bytes{namespace=${JSON.stringify(namespace)},pod=~${JSON.stringify(candidates.map((p) => escapeRegex(p.name)).join("|"))},container!="",container!="POD"}`;
    const top = async (query: string) => {
      const answer = await metrics.evaluate(query, d.diagnosis.clock.now());
      const best = answer.reduce<{ pod: string; v: number } | null>(
        (a, r) => (r.labels["pod"] && (!a || r.value > a.v) ? { pod: r.labels["pod"], v: r.value } : a),
        null,
      );
      const pod = best && candidates.find((p) => p.name === best.pod);
      return pod ? { pod, v: best.v } : null;
    };
    try {
      // the leaking one first: the fastest growth over the last hour, when it is growth at all
      const growing = await top(`max by (pod) (deriv(${ws}[1h]))`);
      if (growing && growing.v * 3600 >= MIN_GROWTH_PER_HOUR)
        return {
          pod: growing.pod,
          why: `the fastest-growing of its pods, +${formatBytes(growing.v * 3600)}/h over the last hour`,
        };
      const highest = await top(`max by (pod) (${ws})`);
      if (highest) return { pod: highest.pod, why: "the highest working set of its pods now" };
    } catch (e) {
      if (!(e instanceof PortError)) throw e;
    }
  }
  return { pod: first, why: "the first of its running pods (Prometheus did not say which uses the most)" };
}

export async function profileHeap(
  pd: ProfileDeps,
  r: ProfileRequest,
  channel: string,
  user: string,
): Promise<Result<{ threadTs: string }>> {
  const d = pd.incidents;
  // who may look at the namespace from this channel, as for a diagnosis: the command and the button alike
  const may = await mayDiagnose(
    { policy: d.policy, cluster: d.diagnosis.cluster },
    { user, channel },
    r.target.namespace,
  );
  if (!may.ok) return may;
  const resolved = await resolveTarget(d.diagnosis.cluster, r.target);
  if (!resolved.ok) return resolved;
  const t = resolved.value;
  const subject = incidentSubject(t);
  const now = d.diagnosis.clock.now();
  const owner = d.newId();
  const lease = `profile:${subjectKey(subject)}`;
  const budget = (r.compareSeconds ?? 0) + (2 * PROFILE_TIMEOUT_MS) / 1000 + 60;
  if (!(await d.store.tryLease(lease, owner, now, now + budget)))
    return err(`a heap profile of ${subjectKey(subject)} is being taken already: its result will be in the thread`);
  try {
    let picked: { pod: Pod; why: string };
    try {
      picked = await pickPod(d, t.pods, t.namespace);
    } catch (e) {
      if (e instanceof PortError) return err(`${subjectKey(subject)}: ${e.message}`);
      throw e;
    }
    const pod = picked.pod.name;
    const where = `${pod}:${r.port}${r.path}`;
    const first = await takeHeapProfile(d, { namespace: t.namespace, pod, port: r.port, path: r.path });
    await d.audit.record({
      kind: "profile",
      slackUser: user,
      target: subject,
      what: `heap profile of ${where}`,
      outcome: first.ok ? `ok: ${first.value.profile.totalBytes} bytes in use` : `failed: ${first.error}`,
      details: { channel, pod, port: r.port, path: r.path, compareSeconds: r.compareSeconds },
    });
    if (!first.ok) return err(`${first.error}${await runtimeFallback(d, r.target)}`);
    const incident = await d.store.openIncident(subject, channel);
    const threadTs =
      incident?.threadTs ?? (await d.chat.post(channel, d.view.profileStarted(subjectKey(subject), pod, `<@${user}>`)));
    const view: ProfileView = {
      subject,
      pod,
      podReason: picked.why,
      port: r.port,
      path: r.path,
      first: first.value.profile,
      second: null,
      diff: null,
    };
    await d.chat.post(channel, d.view.heapProfile(view, PROFILE_TOP), threadTs);
    await d.chat.upload(channel, threadTs, {
      filename: profileFile(pod, 1),
      title: `heap profile of ${pod} (open with go tool pprof)`,
      altText: `pprof heap profile of ${pod}, ${first.value.profile.totalBytes} bytes in use`,
      bytes: first.value.bytes,
    });
    if (r.compareSeconds === null) return ok({ threadTs });
    // the second profile is on record before the wait: if this process stops, the next one takes it
    const id = d.newId();
    await d.store.scheduleProfileCompare({
      id,
      dueAt: d.diagnosis.clock.now() + r.compareSeconds,
      subject,
      channel,
      threadTs,
      user,
      namespace: t.namespace,
      pod,
      podReason: picked.why,
      port: r.port,
      path: r.path,
      compareSeconds: r.compareSeconds,
      first: keptProfile(first.value.profile),
    });
    try {
      await pd.sleep(r.compareSeconds * 1000);
    } catch (e) {
      // memops is stopping: the comparison is on record, and the next start or another replica takes it
      if (e instanceof Stopping) return ok({ threadTs });
      throw e;
    }
    await takeSecondProfiles(pd, owner, id);
    return ok({ threadTs });
  } finally {
    // released for the next request (renewed as already over); a crash leaves it to run out
    await d.store.tryLease(lease, owner, now, now - 1);
  }
}

/** What the pod's own runtime metrics say, when no profile could be taken: memops's runtime breakdown. */
const RUNTIME_ONLY: Runbook = ((): Runbook => {
  const r = parseRunbook({
    id: "runtime-breakdown",
    title: "Runtime breakdown",
    match: { targets: ["pod", "deployment", "statefulset", "daemonset"] },
    steps: [{ kind: "runtime" }],
  });
  if (!r.ok) throw new Error(r.error.join("; "));
  return r.value;
})();

async function runtimeFallback(d: IncidentDeps, target: Target): Promise<string> {
  if (!d.diagnosis.metrics) return "";
  const report = await diagnose(d.diagnosis, [RUNTIME_ONLY], {
    target,
    windowSeconds: 3600,
    runbookId: RUNTIME_ONLY.id,
  });
  const runtime = report.ok ? sectionData(report.value.sections, "runtime") : undefined;
  if (!runtime?.rows.length) return "";
  return `\n\nWhat its runtime metrics say instead:\n${runtimeLines(runtime).join("\n")}`;
}
