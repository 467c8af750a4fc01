import type { ProgressView } from "../../app/incident-deps.ts";
import type { Report } from "../../core/findings.ts";
import { sectionData } from "../../core/findings.ts";
import { type ChatMessage, context, sections } from "./blocks.ts";
import { esc, memopsText, pct } from "./mrkdwn.ts";
import { SEVERITY_EMOJI, targetLabel } from "./report.ts";

/** The parent message while the runbook runs: who asked, what for, and how far it got. */
export function progressMessage(p: ProgressView): ChatMessage {
  const bar = "■".repeat(p.done) + "□".repeat(Math.max(0, p.total - p.done));
  return {
    text: `Diagnosing ${p.target}: ${p.done}/${p.total} steps`,
    blocks: [
      ...sections(`:mag: *Diagnosing ${esc(p.target)}* — requested by ${p.requestedBy}`),
      context(`${bar} ${p.done}/${p.total} steps${p.finished.length ? ` · done: ${esc(p.finished.join(", "))}` : ""}`),
    ],
  };
}

/** The parent message once the report is in the thread: the live summary of the incident. */
export function verdictMessage(r: Report, requestedBy: string, actions: ChatMessage["blocks"] = []): ChatMessage {
  const label = targetLabel(r);
  const oom = sectionData(r.sections, "oom-history");
  const usage = sectionData(r.sections, "usage-vs-limit");
  const trend = sectionData(r.sections, "memory-trend");
  const top = trend?.rows[0]?.analysis;
  const facts = [
    `*Pods:* ${r.target.pods}`,
    `*OOM-killed:* ${oom ? oom.oomKilledContainers : "unknown"}`,
    `*Usage now:* ${usage?.rows[0] ? `${pct(usage.rows[0].ofLimit)} of limit${usage.rows.length > 1 ? " (highest)" : ""}` : "unknown"}`,
    `*Trend:* ${top ? `${top.classification}${top.plateau ? " (plateau)" : ""}` : "unavailable"}`,
  ];
  const unavailable = r.sections.filter((s) => s.status === "unavailable").map((s) => s.title);
  return {
    text: `${label}: ${r.verdict.headline}`,
    blocks: [
      ...sections(`${SEVERITY_EMOJI[r.verdict.severity]} *${esc(label)}* — ${memopsText(r.verdict.headline)}`),
      { type: "section", fields: facts.map((text) => ({ type: "mrkdwn", text })) },
      context(
        `Full report in the thread · requested by ${requestedBy} · runbook \`${esc(r.runbook.id)}\`${unavailable.length ? ` · :warning: unavailable: ${esc(unavailable.join(", "))}` : ""}`,
      ),
      ...actions,
    ],
  };
}
