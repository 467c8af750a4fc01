import { classLabel } from "../classify.ts";
import type { TrendFindings, TrendRow } from "../findings.ts";
import { formatDuration } from "../duration.ts";
import type { Sample } from "../model.ts";
import { formatBytes } from "../quantity.ts";

/** What a chart of one workload's memory shows: drawn by `chartSvg`, described by `chartAltText`. */
export interface MemoryChart {
  /** the workload, as the person asked for it ("deploy/api -n shop") */
  subject: string;
  title: string;
  subtitle: string;
  /** x domain, Unix seconds; `end` lies past `now` when a forecast is drawn */
  start: number;
  end: number;
  now: number;
  series: ChartSeries[];
  /** horizontal lines: each distinct limit and request among the series */
  thresholds: { label: string; bytes: number; kind: "limit" | "request" }[];
}

export interface ChartSeries {
  label: string;
  /** "leak, limit in ~3h": the legend's words */
  verdict: string;
  points: readonly Sample[];
  /** OOM kills: where to put the markers */
  ooms: Sample[];
  /** the forecast: from the last point to the limit (`at` may lie past the chart's end) */
  forecast: { from: Sample; at: number; limitBytes: number } | null;
  limitBytes: number | null;
}

/** A forecast further out than this share of the window is drawn to the edge, not to the crossing. */
const FUTURE_SHARE = 0.35;

const verdictOf = ({ analysis: a }: TrendRow) =>
  `${classLabel(a)}${a.timeToLimitSeconds === null ? "" : `, limit in ~${formatDuration(a.timeToLimitSeconds)}`}`;

function seriesOf(r: TrendRow, now: number): ChartSeries {
  const points = r.analysis.resampled;
  const last = points[points.length - 1];
  const valueAt = (t: number) => points.findLast((p) => p.t <= t)?.v ?? points[0]?.v ?? 0;
  const ttl = r.analysis.timeToLimitSeconds;
  return {
    label: `${r.pod}/${r.container}`,
    verdict: verdictOf(r),
    points,
    ooms: r.analysis.oomKillTimes.map((t) => ({ t, v: r.limitBytes ?? valueAt(t) })),
    forecast: ttl !== null && last && r.limitBytes ? { from: last, at: now + ttl, limitBytes: r.limitBytes } : null,
    limitBytes: r.limitBytes,
  };
}

/** The chart of a diagnosed workload's memory trend (`title` names the workload). */
export function memoryChart(findings: TrendFindings, title: string): MemoryChart {
  const { windowStart: start, windowEnd: now } = findings;
  const span = Math.max(1, now - start);
  const series = findings.rows.map((r) => seriesOf(r, now));
  // Far enough to show every crossing within FUTURE_SHARE of the window; those further out run off the edge.
  const crossings = series.flatMap((s) => (s.forecast ? [s.forecast.at] : []));
  const shown = crossings.filter((t) => t <= now + FUTURE_SHARE * span);
  const end =
    crossings.length === 0
      ? now
      : shown.length < crossings.length
        ? now + FUTURE_SHARE * span
        : Math.min(now + FUTURE_SHARE * span, Math.max(now + 0.1 * span, Math.max(...shown) + 0.04 * span));
  const thresholds: MemoryChart["thresholds"] = [];
  const many = new Set(findings.rows.map((r) => r.container)).size > 1;
  for (const r of findings.rows) {
    for (const [kind, bytes] of [
      ["limit", r.limitBytes],
      ["request", r.requestBytes],
    ] as const) {
      if (bytes === null || thresholds.some((x) => x.kind === kind && x.bytes === bytes)) continue;
      thresholds.push({ kind, bytes, label: `${kind} ${formatBytes(bytes)}${many ? ` (${r.container})` : ""}` });
    }
  }
  return {
    subject: title,
    title: `Memory working set — ${title}`,
    subtitle: `last ${formatDuration(span)}, ${stepLabel(findings.rows[0])} maxima, UTC${end > now ? "; dashed: forecast at the current trend" : ""}`,
    start,
    end,
    now,
    series,
    thresholds,
  };
}

function stepLabel(r: TrendRow | undefined): string {
  const p = r?.analysis.resampled;
  if (!p || p.length < 2) return "5-minute";
  const dt = ((p[p.length - 1]?.t ?? 0) - (p[0]?.t ?? 0)) / (p.length - 1);
  return `${formatDuration(Math.round(dt / 60) * 60 || 60)}`
    .replace(/^(\d+)m$/, "$1-minute")
    .replace(/^(\d+)h$/, "$1-hour");
}

/** Slack's alt_txt limit for an uploaded image. */
export const ALT_TEXT_MAX = 1000;

/** What the chart shows, for a screen reader: the same facts, in words, within Slack's 1,000 characters. */
export function chartAltText(c: MemoryChart): string {
  const head = `Line chart of the memory working set of ${c.subject} over the last ${formatDuration(c.now - c.start)}.`;
  const lines = c.series.map((s) => {
    const first = s.points[0]?.v ?? 0,
      last = s.points[s.points.length - 1]?.v ?? 0;
    const limit = s.limitBytes ? ` of a ${formatBytes(s.limitBytes)} limit` : ", no limit";
    const ooms = s.ooms.length ? `; ${s.ooms.length} OOM kill${s.ooms.length > 1 ? "s" : ""} marked` : "";
    return ` ${s.label}: ${s.verdict}; ${formatBytes(first)} to ${formatBytes(last)}${limit}${ooms}.`;
  });
  let text = head;
  for (const [i, l] of lines.entries()) {
    const more = ` And ${lines.length - i} more.`;
    if (text.length + l.length + (i < lines.length - 1 ? more.length : 0) > ALT_TEXT_MAX) return text + more;
    text += l;
  }
  return text;
}
