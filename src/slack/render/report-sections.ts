import { formatDuration } from "../../core/duration.ts";
import { classLabel } from "../../core/classify.ts";
import { forecastText } from "../../core/forecast.ts";
import { type DataOf, type FindingsOf, type Section, type SectionKind, sectionData } from "../../core/findings.ts";
import { formatBytes } from "../../core/quantity.ts";
import { sliceMax } from "../../core/series.ts";
import { sparkline } from "../../core/sparkline.ts";
import { correlateLines, runtimeLines } from "../../core/runtime-breakdown.ts";
import { heapProfileLines } from "../../core/profile/profile-text.ts";
import { type Block, codeSections, context, sections } from "./blocks.ts";
import { codeText, cut, esc, memopsText, pct, slackDate, table } from "./mrkdwn.ts";

const bytes = (b: number | null) => (b === null ? "—" : formatBytes(b));
const ago = (now: number, t: number | null) => (t === null ? "—" : `${formatDuration(now - t)} ago`);
const who = (pod: string, container: string) => cut(`${pod}/${container}`, 48);
const SPARK_WIDTH = 24;

export function sparkOf(trend: DataOf<"memory-trend"> | undefined, pod: string, container: string): string {
  const row = trend?.rows.find((r) => r.pod === pod && r.container === container);
  if (!row || !trend) return "";
  const values = sliceMax(row.series, trend.windowStart, trend.windowEnd, SPARK_WIDTH);
  return sparkline(values, 0, row.limitBytes ?? Math.max(...row.series.map((s) => s.v)));
}

function usage(d: DataOf<"usage-vs-limit">, trend: DataOf<"memory-trend"> | undefined, windowLabel: string): Block[] {
  const rows = d.rows.map((r) => [
    who(r.pod, r.container),
    bytes(r.usageBytes),
    bytes(r.requestBytes),
    bytes(r.limitBytes),
    pct(r.ofLimit),
    sparkOf(trend, r.pod, r.container),
  ]);
  const lines = table(["CONTAINER", "USAGE", "REQUEST", "LIMIT", "OF LIMIT", windowLabel], rows).map(codeText);
  const more =
    d.totalContainers > d.rows.length
      ? `\n…and ${d.totalContainers - d.rows.length} more containers (highest shown first)`
      : "";
  const out = codeSections(
    `*Usage vs limit* — ${d.overThreshold} of ${d.totalContainers} containers at or above ${pct(d.warnRatio)} of their limit${esc(more)}`,
    lines,
  );
  if (d.sourceNote) out.push(context(`:warning: ${esc(d.sourceNote)}`));
  return out;
}

function oom(d: DataOf<"oom-history">, now: number): Block[] {
  const head = `*OOM kills and restarts* — ${d.oomKilledContainers} OOM-killed, ${d.crashLooping} in CrashLoopBackOff, ${d.totalRestarts} restarts across ${d.podsScanned} pods`;
  if (d.rows.length === 0 && d.events.length === 0)
    return sections(`${head}\nNo restarts, no OOM kills, no memory events.`);
  const rows = d.rows.map((r) => [
    who(r.pod, r.container),
    String(r.restartCount),
    r.lastReason ?? "—",
    r.lastExitCode === null ? "—" : String(r.lastExitCode),
    ago(now, r.lastFinishedAt),
    r.waitingReason ?? (r.oomKilled ? "" : ""),
  ]);
  // no container restarted: no empty table, only the events
  const out =
    rows.length > 0
      ? codeSections(
          head,
          table(["CONTAINER", "RESTARTS", "LAST TERMINATION", "EXIT", "WHEN", "NOW"], rows).map(codeText),
        )
      : sections(head);
  if (d.events.length > 0) {
    out.push(
      ...sections(
        d.events
          .map(
            (e) =>
              `• \`${esc(e.reason)}\` ${esc(e.object)} ×${e.count} (${e.lastSeen === null ? "—" : slackDate(e.lastSeen)}): ${esc(cut(e.message, 200))}`,
          )
          .join("\n"),
      ),
    );
  }
  return out;
}

function logs(d: DataOf<"logs-grep">): Block[] {
  const out: Block[] = [...sections(`*Memory-related log lines* — from ${esc(d.why)}`)];
  for (const x of d.excerpts) {
    const which = `${esc(x.pod)}/${esc(x.container)} (${x.previous ? "previous container, before the restart" : "current container"})`;
    if (x.note) out.push(...sections(`_${which}: ${esc(x.note)}_`));
    else if (x.lines.length === 0) out.push(...sections(`_${which}: no matching lines_`));
    else
      out.push(
        ...codeSections(`_${which}: last ${x.lines.length} of ${x.matched} matching lines_`, x.lines.map(codeText)),
      );
  }
  return out;
}

function node(d: DataOf<"node-pressure">): Block[] {
  if (d.nodes.length === 0) return sections("*Node* — the pods are not scheduled on a known node.");
  const rows = d.nodes.map((n) => [
    cut(n.name, 40),
    n.memoryPressure === null ? "unknown" : n.memoryPressure ? "YES" : "no",
    bytes(n.allocatableBytes),
    bytes(n.requestedBytes),
    pct(n.ofAllocatable),
    String(n.pods),
  ]);
  return codeSections(
    "*Node*",
    table(["NODE", "MEMORY PRESSURE", "ALLOCATABLE", "REQUESTED", "OF ALLOC", "PODS"], rows).map(codeText),
  );
}

function trend(d: DataOf<"memory-trend">): Block[] {
  const lines = d.rows.map((r) => {
    const a = r.analysis;
    const spark = `\`${sparkOf(d, r.pod, r.container)}\``;
    // A stable container is one line; what needs attention gets its evidence and forecast.
    if (a.classification === "stable" && !a.plateau) return `${esc(who(r.pod, r.container))} ${spark} stable`;
    const label = classLabel(a);
    const forecast = forecastText(a) ?? "no upward trend toward the limit";
    return `*${esc(who(r.pod, r.container))}* ${spark} *${label}* (confidence ${a.confidence.toFixed(2)})\n${memopsText(a.evidence)}\nForecast: ${forecast}`;
  });
  const more = d.totalContainers > d.rows.length ? `\n…and ${d.totalContainers - d.rows.length} more containers` : "";
  return sections(
    `*Trend and forecast* — ${formatDuration(d.windowEnd - d.windowStart)} window${more}\n${lines.join("\n") || "No samples in the window."}`,
  );
}

function promql(d: DataOf<"promql">): Block[] {
  const lines = d.values.map((v) => `${v.labels || "{}"}  ${Number.isInteger(v.value) ? v.value : v.value.toFixed(3)}`);
  return codeSections(
    `*${esc(d.name)}* — \`${esc(cut(d.query, 200))}\``,
    (lines.length ? lines : ["(no result)"]).map(codeText),
  );
}

function counts(d: DataOf<"count-resources">): Block[] {
  const lines = d.counts.map(
    (c) =>
      `• ${c.estimated ? "about " : ""}*${c.count.toLocaleString("en-US")}* ${esc(c.kind)} (\`${esc(c.apiVersion)}\`) ${c.namespace ? `in \`${esc(c.namespace)}\`` : "in the cluster"}${c.warnAbove !== null && c.count > c.warnAbove ? ` — :warning: above ${c.warnAbove}` : ""}`,
  );
  return sections(`*Objects managed*\n${lines.join("\n")}`);
}

/** The blocks of one report section; an unavailable section says why instead. */
export function sectionBlocks(s: Section, all: readonly Section[], now: number, windowSeconds: number): Block[] {
  if (s.status === "unavailable" || !s.data)
    return sections(`*${esc(s.title)}* — :warning: unavailable: ${esc(s.note ?? "no data")}`);
  const render = BLOCKS[s.kind] as SectionBlocks<SectionKind>; // the mapped type pairs each kind with its renderer
  return render(s.data, { all, now, windowSeconds });
}

interface RenderContext {
  all: readonly Section[];
  now: number;
  windowSeconds: number;
}
type SectionBlocks<K extends SectionKind> = (d: FindingsOf[K], c: RenderContext) => Block[];

/** Every section kind's Block Kit, one entry each (a kind without one does not compile). */
const BLOCKS: { [K in SectionKind]: SectionBlocks<K> } = {
  "usage-vs-limit": (d, c) => usage(d, sectionData(c.all, "memory-trend"), formatDuration(c.windowSeconds)),
  "oom-history": (d, c) => oom(d, c.now),
  "logs-grep": (d) => logs(d),
  "node-pressure": (d) => node(d),
  "memory-trend": (d) => trend(d),
  promql: (d) => promql(d),
  "count-resources": (d) => counts(d),
  runtime: (d) => sections(`*Runtime memory*\n${runtimeLines(d).map(esc).join("\n")}`),
  "heap-profile": (d) => codeSections("*Heap profile*", heapProfileLines(d).map(codeText)),
  correlate: (d) => sections(`*What grows with memory*\n${correlateLines(d).map(esc).join("\n")}`),
};
