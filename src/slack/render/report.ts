import { formatDuration } from "../../core/duration.ts";
import type { Report, Severity } from "../../core/findings.ts";
import { describeTarget, type Target } from "../../core/target.ts";
import { type Block, type ChatMessage, context, divider, header, packMessages, sections } from "./blocks.ts";
import { esc, memopsText } from "./mrkdwn.ts";
import { sectionBlocks } from "./report-sections.ts";

export const SEVERITY_EMOJI: Record<Severity, string> = {
  ok: ":large_green_circle:",
  warning: ":large_yellow_circle:",
  critical: ":red_circle:",
};

export function targetLabel(r: Report): string {
  const t: Target = {
    kind: r.target.kind,
    name: r.target.name,
    namespace: r.target.namespace,
    ...(r.target.kind === "selector" ? { selector: r.target.name } : {}),
  };
  return describeTarget(t);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The report for the incident thread: verdict first, then every section, then next steps; split as needed. */
export function reportMessages(r: Report): ChatMessage[] {
  const label = targetLabel(r);
  const blocks: Block[] = [
    header(`Memory report: ${label}`),
    ...sections(
      `${SEVERITY_EMOJI[r.verdict.severity]} *${memopsText(r.verdict.headline)}*${
        r.verdict.points.length > 1
          ? `\n${r.verdict.points
              .slice(1)
              .map((p) => `• ${memopsText(p)}`)
              .join("\n")}`
          : ""
      }`,
    ),
    context(
      esc(r.target.ownerChain.join(" → ")),
      `${plural(r.target.pods, "pod")} · ${plural(r.target.containers, "container")} · ${formatDuration(r.windowSeconds)} window`,
      `runbook \`${esc(r.runbook.id)}\` · took ${((r.finishedAt - r.startedAt) * 1000).toFixed(0)} ms`,
    ),
  ];
  for (const s of r.sections) blocks.push(divider(), ...sectionBlocks(s, r.sections, r.startedAt, r.windowSeconds));
  if (r.nextSteps.length > 0) {
    blocks.push(
      divider(),
      ...sections(`*Next steps*\n${r.nextSteps.map((s, i) => `${i + 1}. ${memopsText(s)}`).join("\n")}`),
    );
  }
  return packMessages(
    blocks,
    (part, parts) => `Memory report for ${label}${parts > 1 ? ` (${part}/${parts})` : ""}: ${r.verdict.headline}`,
  );
}
