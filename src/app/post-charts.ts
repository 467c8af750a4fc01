import { chartScene } from "../core/chart/chart-scene.ts";
import { chartAltText, memoryChart } from "../core/chart/memory-chart.ts";
import { type Report, sectionData } from "../core/findings.ts";
import { shortWorkload } from "../core/target.ts";
import { PortError } from "../ports.ts";
import type { IncidentDeps } from "./incident-deps.ts";

/** A namespace diagnosis charts its most urgent workloads, not all of them. */
const MAX_CHARTS = 3;

/** A chart drawn for the thread, or why it could not be. */
export type DrawnChart =
  | { title: string; filename: string; chartTitle: string; altText: string; png: Uint8Array }
  | { title: string; error: string };

/**
 * One PNG chart per diagnosed workload, uploaded after the report. Drawing is CPU work on this thread:
 * each chart waits for the I/O already queued (the report's posts are sent first) and is drawn while
 * Slack answers them.
 */
export function drawCharts(d: Pick<IncidentDeps, "drawChart">, report: Report, label: string): Promise<DrawnChart[]> {
  const trend = sectionData(report.sections, "memory-trend");
  if (!trend || trend.rows.length === 0) return Promise.resolve([]);
  const perWorkload = report.target.kind === "namespace" || report.target.kind === "selector";
  const groups = new Map<string, typeof trend.rows>();
  for (const r of trend.rows) {
    const key = perWorkload ? `${shortWorkload(r.workload)} -n ${report.target.namespace}` : label;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return Promise.all(
    [...groups].slice(0, MAX_CHARTS).map(async ([title, rows]): Promise<DrawnChart> => {
      try {
        await new Promise<void>((resolve) => setImmediate(resolve));
        const chart = memoryChart({ ...trend, rows }, title);
        const png = await d.drawChart(chartScene(chart));
        const filename = `memory-${title
          .replace(/[^a-z0-9]+/gi, "-")
          .replace(/^-|-$/g, "")
          .toLowerCase()}.png`;
        return { title, filename, chartTitle: chart.title, altText: chartAltText(chart), png };
      } catch (e) {
        return { title, error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
}

/**
 * The charts into the incident thread, with alt text. A chart that cannot be drawn or uploaded costs the
 * thread one line saying so; the report's sparklines carry the same trend.
 */
export async function postCharts(
  d: Pick<IncidentDeps, "chat" | "view" | "log">,
  channel: string,
  threadTs: string,
  charts: readonly DrawnChart[],
): Promise<void> {
  for (const c of charts) {
    try {
      if ("error" in c) throw new Error(c.error);
      await d.chat.upload(channel, threadTs, {
        filename: c.filename,
        title: c.chartTitle,
        altText: c.altText,
        bytes: c.png,
      });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      d.log.warn({ chart: c.title, reason }, "memory chart not posted");
      await d.chat.post(channel, d.view.chartFailed(c.title, reason), threadTs).catch((err: unknown) => {
        if (!(err instanceof PortError)) throw err;
      });
    }
  }
}
