/** A post-incident summary built from the incident's audit trail: nothing is kept twice. */
import type { AuditEntry } from "./audit.ts";
import { formatDuration } from "./duration.ts";

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

const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const who = (e: AuditEntry) => (e.slackUser ? `<@${e.slackUser}>` : "memops");
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** `entries` are the incident's audit entries in order; `workload` is its key ("deployment/api -n shop"). */
export function summarize(
  workload: string,
  openedAt: number,
  entries: readonly AuditEntry[],
  resolvedAt: number | null,
): IncidentSummary {
  const diagnoses = entries.filter((e) => e.kind === "diagnosis");
  const last = diagnoses.at(-1);
  const points = (last?.details["points"] as string[] | undefined) ?? [];
  const classification = text(last?.details["classification"]) ?? "stable";
  const mutations = entries.filter((e) => e.kind === "mutation");
  const verifications = entries.filter((e) => e.kind === "verification");
  const alerts = entries.filter((e) => e.kind === "alert");
  const followUps: string[] = [];
  for (const m of mutations.filter(
    (x) =>
      x.outcome.startsWith("ok") &&
      x.details["route"] === "live" &&
      /limit|replicas|HorizontalPodAutoscaler/i.test(x.what),
  )) {
    followUps.push(`commit the change to the manifests or Git: "${m.what}" was applied to the live object only`);
  }
  if (classification === "leak")
    followUps.push("find and fix the leak (heap profile of the growing container); restarts only buy time");
  if (entries.some((e) => e.kind === "escalation")) followUps.push("review the escalation with the on-call group");
  if (verifications.some((v) => v.outcome !== "verified"))
    followUps.push("the last change was not verified: keep watching or act again");
  return {
    title: `Memory incident: ${workload}`,
    mainPoint: last?.outcome ?? "no diagnosis recorded",
    evidence: points,
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
