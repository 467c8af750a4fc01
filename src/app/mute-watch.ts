/**
 * Snooze or "not a problem" from the buttons of an incident the watch opened: the button carries the
 * incident's id only; the workload and channel are the stored incident's, and the click must come from
 * that channel. Recorded in the store (it holds across restarts and replicas), audited, said in the thread.
 */
import { describeMute, type Mute } from "../core/watch/mutes.ts";
import { redactSecrets } from "../core/redact.ts";
import { err, ok, type Result } from "../core/result.ts";
import { subjectKey as describeSubject } from "../core/subject.ts";
import type { IncidentDeps } from "./incident-deps.ts";

export type MuteChoice = "snooze-1h" | "snooze-24h" | "until-rollout" | "not-a-problem";
const HOUR = 3600;

export async function muteWatch(
  d: IncidentDeps,
  incidentId: string,
  channel: string,
  user: string,
  choice: MuteChoice,
  /** for "not a problem": the reason given (secrets redacted before it is kept) */
  why = "",
): Promise<Result<Mute>> {
  const incident = await d.store.incident(incidentId);
  if (!incident || incident.channel !== channel)
    return err("This button does not belong to an incident in this channel.");
  const { subject } = incident;
  const now = d.diagnosis.clock.now();
  let generation: number | null = null;
  if (choice === "until-rollout") {
    const kind = subject.kind;
    if (kind !== "deployment" && kind !== "statefulset" && kind !== "daemonset")
      return err(`${describeSubject(subject)} has no rollouts to wait for: snooze it for a while instead.`);
    const w = await d.diagnosis.cluster.getWorkload(subject.namespace, kind, subject.name);
    if (!w) return err(`${describeSubject(subject)} is not in the cluster any more.`);
    generation = w.rollout.generation;
  }
  const m: Mute = {
    subject,
    channel,
    kind: choice === "snooze-1h" || choice === "snooze-24h" ? "snooze" : choice,
    until: choice === "snooze-1h" ? now + HOUR : choice === "snooze-24h" ? now + 24 * HOUR : null,
    generation,
    by: user,
    why: redactSecrets(why.trim()).slice(0, 500),
    at: now,
  };
  await d.store.muteWatch(m);
  await d.audit.record({
    kind: "watch",
    slackUser: user,
    target: subject,
    what: `${choice} from the warning`,
    outcome: describeMute(m),
    details: {
      incident: incidentId,
      channel,
      kind: m.kind,
      until: m.until,
      generation,
      ...(m.why ? { why: m.why } : {}),
    },
  });
  await d.chat.post(channel, d.view.watchMuted(describeSubject(subject), describeMute(m)), incident.threadTs);
  return ok(m);
}
