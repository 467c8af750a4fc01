/**
 * Snooze and "not a problem": whether the watch keeps quiet about a workload now. A snooze lasts until
 * its time, "until the next rollout" until the workload's generation moves, "not a problem" until
 * someone lifts it.
 */
import { formatInstant } from "../duration.ts";
import { type Subject, subjectKey } from "../subject.ts";

export type MuteKind = "snooze" | "until-rollout" | "not-a-problem";

export interface Mute {
  subject: Subject;
  channel: string;
  kind: MuteKind;
  until: number | null;
  generation: number | null;
  by: string;
  why: string;
  at: number;
}

/** The mute in force for this workload and channel, if any. `generation`: the workload's now, when known. */
export function mutedBy(
  mutes: readonly Mute[],
  subject: Subject,
  channel: string,
  now: number,
  generation: number | null,
): Mute | null {
  const key = subjectKey(subject);
  const m = mutes.find((x) => x.channel === channel && subjectKey(x.subject) === key);
  if (!m) return null;
  if (m.kind === "snooze") return m.until !== null && m.until > now ? m : null;
  if (m.kind === "until-rollout") return generation === null || generation === m.generation ? m : null;
  return m;
}

/** "snoozed by <@U1> until 2026-12-03 18:40 UTC", for the audit log and the pass's quiet list. */
export function describeMute(m: Mute): string {
  const by = `<@${m.by}>`;
  if (m.kind === "snooze") return `snoozed by ${by} until ${formatInstant(m.until ?? m.at)}`;
  if (m.kind === "until-rollout") return `snoozed by ${by} until its next rollout`;
  return `marked "not a problem" by ${by}${m.why ? `: ${m.why}` : ""}`;
}
