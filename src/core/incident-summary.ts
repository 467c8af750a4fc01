/** A post-incident summary built from the incident's audit trail: nothing is kept twice. */
import type { AuditEntry } from "./audit.ts";
import { type Subject, subjectKey } from "./subject.ts";
import { formatDuration, formatInstant } from "./duration.ts";
import type { Change } from "./remediation/plan.ts";

export interface IncidentSummary {
  title: string;
  mainPoint: string;
  evidence: string[];
  details: string[];
  actions: string[];
  verification: string[];
  followUps: string[];
  category: string;
}

const CATEGORY: Record<string, string> = {
  leak: "memory leak",
  "oom-cycle": "OOM-kill cycle (limit below peak usage)",
  "limit-too-low": "limit too low for the workload",
  spike: "memory spike",
  stable: "no memory problem found",
};
/** The incident is what its worst diagnosis found, not its last one (a fix makes the last one look healthy). */
const WORST_FIRST = ["oom-cycle", "leak", "limit-too-low", "spike", "stable"];
const SHORT: Record<string, string> = {
  leak: "memory leak",
  "oom-cycle": "OOM cycle",
  "limit-too-low": "limit too low",
  spike: "memory spike",
  stable: "no memory problem found",
};

const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const who = (e: AuditEntry) => (e.slackUser ? `<@${e.slackUser}>` : "memops");
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const classOf = (e: AuditEntry) => text(e.details["classification"]) ?? "stable";
const changesOf = (e: AuditEntry): Change[] =>
  Array.isArray(e.details["changes"]) ? (e.details["changes"] as Change[]) : [];
const executed = (m: AuditEntry) => m.outcome.startsWith("ok");

/** "limit raised 512Mi → 640Mi at 2026-09-21 14:15 UTC by <@U0BOB>", from what the mutation entry recorded. */
function actionPhrase(m: AuditEntry): string {
  const c = changesOf(m)[0];
  const action = text(m.details["action"]);
  const what =
    c && action === "raise-limit"
      ? `limit${text(m.details["container"]) ? ` of ${text(m.details["container"]) ?? ""}` : ""} raised ${c.before} → ${c.after}`
      : c && action === "set-request"
        ? `request${text(m.details["container"]) ? ` of ${text(m.details["container"]) ?? ""}` : ""} set ${c.before} → ${c.after}`
        : c && action === "scale-out"
          ? `scaled ${c.before} → ${c.after}`
          : action === "restart"
            ? "rolling restart"
            : m.what;
  return `${what} at ${formatInstant(m.at)} by ${who(m)}`;
}

/** `entries` are the incident's audit entries in order; `subject` what the incident is about. */
export function summarize(
  subject: Subject,
  openedAt: number,
  entries: readonly AuditEntry[],
  resolvedAt: number | null,
): IncidentSummary {
  const diagnoses = entries.filter((e) => e.kind === "diagnosis");
  const last = diagnoses.at(-1);
  const worst = [...diagnoses].sort(
    (a, b) => WORST_FIRST.indexOf(classOf(a)) - WORST_FIRST.indexOf(classOf(b)) || a.seq - b.seq,
  )[0];
  const classification = worst ? classOf(worst) : "stable";
  const mutations = entries.filter((e) => e.kind === "mutation");
  const done = mutations.filter(executed);
  const verifications = entries.filter((e) => e.kind === "verification");
  const alerts = entries.filter((e) => e.kind === "alert");
  const followUps: string[] = [];
  // one follow-up per field changed on the live object: its last value, which is what is in effect
  const lastPerField = new Map<string, AuditEntry>();
  for (const m of done.filter(
    (x) => x.details["route"] === "live" && /limit|replicas|HorizontalPodAutoscaler/i.test(x.what),
  ))
    lastPerField.set(changesOf(m)[0]?.path ?? m.what, m);
  for (const [path, m] of lastPerField) {
    const c = changesOf(m)[0];
    followUps.push(
      c
        ? `commit ${path} = ${c.after} to the manifests or Git: it was applied to the live object only (${m.what})`
        : `commit the change to the manifests or Git: "${m.what}" was applied to the live object only`,
    );
  }
  if (classification === "leak")
    followUps.push("find and fix the leak (heap profile of the growing container); restarts only buy time");
  if (entries.some((e) => e.kind === "escalation")) followUps.push("review the escalation with the on-call group");
  const lastVerification = verifications.at(-1);
  if (lastVerification && lastVerification.outcome !== "verified")
    followUps.push("the last change was not verified: keep watching or act again");
  return {
    title: `Memory incident: ${subjectKey(subject)}`,
    mainPoint: mainPoint(classification, worst, done, lastVerification, last),
    evidence: (worst?.details["points"] as string[] | undefined) ?? [],
    details: [
      `opened ${iso(openedAt)}${resolvedAt ? `, resolved ${iso(resolvedAt)} (${formatDuration(resolvedAt - openedAt)})` : ", still open"}`,
      `${diagnoses.length} diagnos${diagnoses.length === 1 ? "is" : "es"}${text(last?.details["runbook"]) ? ` (runbook ${text(last?.details["runbook"]) ?? ""})` : ""}, ${alerts.length} alert notification${alerts.length === 1 ? "" : "s"}`,
    ],
    actions: mutations.map(
      (m) =>
        `${iso(m.at)} ${m.what}: requested by ${text(m.details["requester"]) ? `<@${text(m.details["requester"]) ?? ""}>` : "?"}, approved by ${who(m)}, ${m.outcome}`,
    ),
    verification: verifications.map(
      (v) =>
        `${iso(v.at)} ${v.what}: ${v.outcome}${Array.isArray(v.details["lines"]) ? ` (${(v.details["lines"] as string[]).join("; ")})` : ""}`,
    ),
    followUps: followUps.length ? followUps : ["none"],
    category: CATEGORY[classification] ?? classification,
  };
}

/**
 * The incident in one line: what was found, what was done, whether it held. "OOM cycle; limit of api raised
 * 512Mi → 640Mi at 2026-09-21 14:15 UTC by <@U0BOB>; verified; no OOM kill since".
 */
function mainPoint(
  classification: string,
  worst: AuditEntry | undefined,
  done: readonly AuditEntry[],
  verification: AuditEntry | undefined,
  last: AuditEntry | undefined,
): string {
  if (!worst) return "no diagnosis recorded";
  if (done.length === 0) return worst.outcome;
  const parts = [SHORT[classification] ?? classification, ...done.map(actionPhrase)];
  const lastChange = done[done.length - 1]?.at ?? 0;
  if (verification && verification.at >= lastChange) parts.push(verification.outcome);
  // the last diagnosis after the change says whether memory was killed again
  if (last && last.at > lastChange) {
    const lastOom = num(last.details["lastOomAt"]);
    parts.push(
      lastOom === null || lastOom < lastChange ? "no OOM kill since" : `OOM-killed again at ${formatInstant(lastOom)}`,
    );
  }
  return parts.join("; ");
}

export function summaryMarkdown(s: IncidentSummary): string {
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `- ${x}`).join("\n") : "- none");
  return [
    `# ${s.title}`,
    "",
    `**${s.mainPoint}**`,
    "",
    `Category: ${s.category}`,
    "",
    "## Evidence",
    list(s.evidence),
    "",
    "## Details",
    list(s.details),
    "",
    "## Actions",
    list(s.actions),
    "",
    "## Verification",
    list(s.verification),
    "",
    "## Follow-ups",
    list(s.followUps),
    "",
  ].join("\n");
}
