import { forecastText } from "../forecast.ts";
import { classLabel } from "../classify.ts";
import type { TrendFindings, TrendRow } from "../findings.ts";
import { formatDuration, formatInstant } from "../duration.ts";
import { limitAt, type LimitStep } from "../limit-history.ts";
import type { Sample } from "../model.ts";
import { formatBytes } from "../quantity.ts";

/** What a chart of one workload's memory shows: laid out by `chartScene`, described by `chartAltText`. */
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
  /** each distinct limit and request among the series: a level line, stepped where the limit changed */
  thresholds: Threshold[];
}

export interface Threshold {
  label: string;
  kind: "limit" | "request";
  /** the value now */
  bytes: number;
  /** the value over the window, in time order (one step when it did not change) */
  steps: { from: number; bytes: number }[];
  /** set when the chart shows several containers */
  container?: string;
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
  `${classLabel(a)}${a.timeToLimitSeconds === null ? "" : `, ${forecastText(a, false) ?? ""}`}`;

function seriesOf(r: TrendRow, now: number): ChartSeries {
  const points = r.analysis.resampled;
  const last = points[points.length - 1];
  const valueAt = (t: number) => points.findLast((p) => p.t <= t)?.v ?? points[0]?.v ?? 0;
  const ttl = r.analysis.timeToLimitSeconds;
  return {
    label: `${r.pod}/${r.container}`,
    verdict: verdictOf(r),
    points,
    // at the limit it was killed at, not today's
    ooms: r.analysis.oomKillTimes.map((t) => ({ t, v: limitAt(r.limits, t) ?? r.limitBytes ?? valueAt(t) })),
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
  const thresholds: Threshold[] = [];
  const many = new Set(findings.rows.map((r) => r.container)).size > 1;
  for (const r of findings.rows) {
    const limit = limitSteps(r, start);
    for (const [kind, steps] of [
      ["limit", limit],
      ["request", r.requestBytes === null ? [] : [{ from: start, bytes: r.requestBytes }]],
    ] as const) {
      const bytes = steps.at(-1)?.bytes;
      if (bytes === undefined) continue;
      const same = (x: Threshold) => x.kind === kind && JSON.stringify(x.steps) === JSON.stringify(steps);
      if (thresholds.some(same)) continue;
      const values = steps.map((s) => formatBytes(s.bytes)).join(" → ");
      thresholds.push({
        kind,
        bytes,
        steps,
        label: `${kind} ${values}${many ? ` (${r.container})` : ""}`,
        ...(many ? { container: r.container } : {}),
      });
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

/** The workload's limit over the window where it had one; the row's own limit when no history is known. */
function limitSteps(r: TrendRow, start: number): { from: number; bytes: number }[] {
  const known = r.limits.filter((s): s is LimitStep & { bytes: number } => s.bytes !== null);
  if (known.length > 0)
    return known.map((s, i) => ({ from: i === 0 ? Math.min(s.from, start) : s.from, bytes: s.bytes }));
  return r.limitBytes === null ? [] : [{ from: start, bytes: r.limitBytes }];
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
      last = s.points[s.points.length - 1]?.v ?? 0,
      peak = Math.max(first, ...s.points.map((p) => p.v));
    const limit = s.limitBytes ? ` of a ${formatBytes(s.limitBytes)} limit` : ", no limit";
    const ooms = s.ooms.length ? `; ${s.ooms.length} OOM kill${s.ooms.length > 1 ? "s" : ""} marked` : "";
    // the peak too: a spike that came back down starts and ends at the same level
    const top = peak > Math.max(first, last) * 1.05 ? `, peak ${formatBytes(peak)}` : "";
    return ` ${s.label}: ${s.verdict}; ${formatBytes(first)} to ${formatBytes(last)}${top}${limit}${ooms}.`;
  });
  const changed = c.thresholds
    .filter((t) => t.kind === "limit" && t.steps.length > 1)
    .map(
      (t) =>
        ` The limit${t.container ? ` of ${t.container}` : ""} changed: ${t.steps.map((s, i) => (i === 0 ? formatBytes(s.bytes) : `${formatBytes(s.bytes)} at ${formatInstant(s.from)}`)).join(" → ")}.`,
    )
    .join("");
  let text = head + changed;
  for (const [i, l] of lines.entries()) {
    const more = ` And ${lines.length - i} more.`;
    if (text.length + l.length + (i < lines.length - 1 ? more.length : 0) > ALT_TEXT_MAX) return text + more;
    text += l;
  }
  return text;
}
