import { correlateLines, runtimeLines } from "../core/runtime-breakdown.ts";
import { heapProfileLines } from "../core/profile/profile-text.ts";
import { forecastText } from "../core/forecast.ts";
import { formatDuration } from "../core/duration.ts";
import type { FindingsOf, Report, Section, SectionKind } from "../core/findings.ts";
import { formatBytes } from "../core/quantity.ts";
import { sliceMax } from "../core/series.ts";
import { sparkline } from "../core/sparkline.ts";
import { table } from "../core/text-table.ts";

const b = (x: number | null) => (x === null ? "-" : formatBytes(x));
const p = (x: number | null) => (x === null ? "-" : `${Math.round(x * 100)}%`);

type SectionText<K extends SectionKind> = (d: FindingsOf[K], title: string, now: number) => string[];

/** Every section kind as text, one entry each (a kind without one does not compile). */
const TEXT: { [K in SectionKind]: SectionText<K> } = {
  "usage-vs-limit": (d, title) => [
    `${title} (${d.overThreshold} of ${d.totalContainers} at or above ${p(d.warnRatio)})${d.sourceNote ? ` — ${d.sourceNote}` : ""}`,
    ...table(
      ["CONTAINER", "USAGE", "REQUEST", "LIMIT", "OF LIMIT"],
      d.rows.map((r) => [`${r.pod}/${r.container}`, b(r.usageBytes), b(r.requestBytes), b(r.limitBytes), p(r.ofLimit)]),
    ).map((l) => `  ${l}`),
  ],
  "oom-history": (d, title, now) => [
    `${title}: ${d.oomKilledContainers} OOM-killed, ${d.crashLooping} crash-looping, ${d.totalRestarts} restarts`,
    ...(d.rows.length === 0
      ? []
      : table(
          ["CONTAINER", "RESTARTS", "LAST TERMINATION", "EXIT", "WHEN", "NOW"],
          d.rows.map((r) => [
            `${r.pod}/${r.container}`,
            String(r.restartCount),
            r.lastReason ?? "-",
            r.lastExitCode === null ? "-" : String(r.lastExitCode),
            r.lastFinishedAt === null ? "-" : `${formatDuration(now - r.lastFinishedAt)} ago`,
            r.waitingReason ?? "",
          ]),
        ).map((l) => `  ${l}`)),
    ...d.events.map((e) => `  event ${e.reason} ${e.object} x${e.count}: ${e.message}`),
  ],
  "logs-grep": (d, title) => [
    `${title} (${d.why})`,
    ...d.excerpts.flatMap((x) => [
      `  ${x.pod}/${x.container} ${x.previous ? "(previous)" : "(current)"}${x.note ? `: ${x.note}` : `: ${x.lines.length} of ${x.matched} matching lines`}`,
      ...x.lines.map((l) => `    ${l}`),
    ]),
  ],
  "node-pressure": (d, title) => [
    title,
    ...table(
      ["NODE", "MEMORY PRESSURE", "ALLOCATABLE", "REQUESTED", "OF ALLOC"],
      d.nodes.map((n) => [
        n.name,
        n.memoryPressure === null ? "unknown" : n.memoryPressure ? "YES" : "no",
        b(n.allocatableBytes),
        b(n.requestedBytes),
        p(n.ofAllocatable),
      ]),
    ).map((l) => `  ${l}`),
  ],
  "memory-trend": (d, title) => {
    return [
      `${title} (${formatDuration(d.windowEnd - d.windowStart)})`,
      ...d.rows.flatMap((r) => {
        const spark = sparkline(
          sliceMax(r.series, d.windowStart, d.windowEnd, 24),
          0,
          r.limitBytes ?? r.analysis.peakBytes,
        );
        const ttl = forecastText(r.analysis, false) ?? "no upward trend toward the limit";
        return [
          `  ${r.pod}/${r.container} ${spark} ${r.analysis.classification}${r.analysis.plateau ? " (plateau)" : ""} confidence ${r.analysis.confidence.toFixed(2)}; ${ttl}`,
          `    ${r.analysis.evidence}`,
        ];
      }),
    ];
  },
  promql: (d, title) => [`${title}: ${d.query}`, ...d.values.map((v) => `  ${v.labels} ${v.value}`)],
  runtime: (d, title) => [title, ...runtimeLines(d).map((l) => `  ${l}`)],
  correlate: (d, title) => [title, ...correlateLines(d).map((l) => `  ${l}`)],
  "heap-profile": (d, title) => [title, ...heapProfileLines(d).map((l) => `  ${l}`)],
  "count-resources": (d, title) => [
    title,
    ...d.counts.map(
      (c) =>
        `  ${c.estimated ? "about " : ""}${c.count} ${c.kind} (${c.apiVersion}) ${c.namespace ? `in ${c.namespace}` : "in the cluster"}`,
    ),
  ],
};

function section(s: Section, now: number): string[] {
  if (s.status === "unavailable" || !s.data) return [`${s.title}: unavailable — ${s.note ?? "no data"}`];
  const text = TEXT[s.kind] as SectionText<SectionKind>; // the mapped type pairs each kind with its text
  return text(s.data, s.title, now);
}

/** The report for a terminal: the same content as the Slack thread, in plain text. */
export function renderText(r: Report): string {
  const out = [
    `${r.verdict.severity.toUpperCase()}: ${r.verdict.headline}`,
    ...r.verdict.points.slice(1).map((x) => `  - ${x}`),
    `${r.target.ownerChain.join(" -> ")} · ${r.target.pods} pod${r.target.pods === 1 ? "" : "s"} · window ${formatDuration(r.windowSeconds)} · runbook ${r.runbook.id}`,
    "",
  ];
  for (const s of r.sections) out.push(...section(s, r.startedAt), "");
  if (r.nextSteps.length) out.push("Next steps", ...r.nextSteps.map((x, i) => `  ${i + 1}. ${x}`));
  return out.join("\n");
}
