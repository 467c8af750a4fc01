/** The incident's messages in Block Kit: what the app layer's IncidentView asks for. */
import { type Report, sectionData } from "../../core/findings.ts";
import { digestMessage } from "./digest.ts";
import { heapProfileMessage } from "./heap-profile.ts";
import { watchButtons } from "./watch-buttons.ts";
import type { IncidentView } from "../../app/incident-deps.ts";
import { context, sections } from "./blocks.ts";
import { incidentButtons, summaryMessage } from "./incident.ts";
import { esc, escKeepMentions } from "./mrkdwn.ts";
import { progressMessage, verdictMessage } from "./parent.ts";
import { remediationButtons } from "./remediation.ts";
import { reportMessages } from "./report.ts";

/** A leak verdict on one workload or pod: where the memory goes is the next question, a heap profile answers it. */
const leaks = (r: Report) =>
  ["deployment", "statefulset", "daemonset", "pod"].includes(r.target.workload?.kind ?? r.target.kind) &&
  (sectionData(r.sections, "memory-trend")?.rows.some((x) => x.analysis.classification === "leak") ?? false);

export const incidentView: IncidentView = {
  progress: progressMessage,
  rediagnosis: (label, requestedBy) => ({
    text: `New diagnosis of ${label}, requested by ${requestedBy}`,
    blocks: sections(`:mag: New diagnosis of *${esc(label)}*, requested by ${requestedBy}`),
  }),
  report: reportMessages,
  verdict: (r, requestedBy, offers, incidentId) =>
    verdictMessage(r, requestedBy, [
      ...remediationButtons(offers),
      ...incidentButtons(incidentId, { profile: leaks(r) }),
    ]),
  chartFailed: (title, reason) => {
    const text = `:warning: The memory chart of ${esc(title)} could not be posted: ${esc(reason)}. The sparklines above show the same trend.`;
    return { text, blocks: sections(text) };
  },
  summary: summaryMessage,
  watchActions: watchButtons,
  digest: digestMessage,
  heapProfile: heapProfileMessage,
  profileStarted: (subject, pod, by) => ({
    text: `Heap profile of ${subject} (pod ${pod}), requested by ${by}`,
    blocks: sections(`:mag: *Heap profile of ${esc(subject)}* (pod \`${esc(pod)}\`), requested by ${by}`),
  }),
  profileFailed: (what, reason) => ({
    text: `${what} could not be taken: ${reason}`,
    blocks: sections(`:warning: ${esc(what)} could not be taken: ${esc(reason)}`),
  }),
  watchGroup: (namespace, lines, cap) => {
    const n = lines.length;
    const first = lines[0]?.label ?? "";
    return {
      text: `${n} more in ${namespace} will reach their memory limits (today's ${cap} watch warnings are used up)`,
      blocks: sections(
        [
          `:warning: *${n} more in ${esc(namespace)}* will reach their memory limits. This channel has had its ${cap} watch warnings for today, so these come together:`,
          ...lines.map((l) => `• ${esc(l.text)}`),
          `\`/mem diagnose ${esc(first)}\` opens any of them with its report and remediations; each is listed once this episode.`,
        ].join("\n"),
      ),
    };
  },
  watchMuted: (label, how) => ({
    text: `The memory watch is quiet about ${label} here: ${how}.`,
    blocks: sections(`:zzz: The memory watch is quiet about *${esc(label)}* here: ${escKeepMentions(how)}.`),
  }),
  // Decided: no more buttons on the parent; a resolved line in their place.
  resolvedParent: (parent, by) => ({
    text: `Resolved: ${parent.text}`,
    blocks: [
      ...parent.blocks.filter((b) => b.type !== "actions"),
      context(`:white_check_mark: Resolved by <@${by}> — the final summary is in the thread`),
    ],
  }),
  alertResolved: (name, since) => ({
    text: `${name} resolved`,
    blocks: sections(`:white_check_mark: *${esc(name)}* resolved (firing since ${esc(since)})`),
  }),
};
