import { chartSvg } from "../core/chart/chart-svg.ts";
import { chartAltText, memoryChart } from "../core/chart/memory-chart.ts";
import { type Report, sectionData } from "../core/findings.ts";
import { shortWorkload } from "../core/target.ts";
import { PortError } from "../ports.ts";
import type { IncidentDeps } from "./incident-deps.ts";

/** A namespace diagnosis charts its most urgent workloads, not all of them. */
const MAX_CHARTS = 3;

/**
 * One PNG chart per diagnosed workload into the incident thread, with alt text. A chart that cannot be
 * drawn or uploaded costs the thread one line saying so; the report's sparklines carry the same trend.
 */
export async function postCharts(
  d: Pick<IncidentDeps, "chat" | "drawChart" | "view" | "log">,
  channel: string,
  threadTs: string,
  report: Report,
  label: string,
): Promise<void> {
  const trend = sectionData(report.sections, "memory-trend");
  if (!trend || trend.rows.length === 0) return;
  const perWorkload = report.target.kind === "namespace" || report.target.kind === "selector";
  const groups = new Map<string, typeof trend.rows>();
  for (const r of trend.rows) {
    const key = perWorkload ? `${shortWorkload(r.workload)} -n ${report.target.namespace}` : label;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [title, rows] of [...groups].slice(0, MAX_CHARTS)) {
    try {
      const chart = memoryChart({ ...trend, rows }, title);
      const png = await d.drawChart(chartSvg(chart));
      const filename = `memory-${title
        .replace(/[^a-z0-9]+/gi, "-")
        .replace(/^-|-$/g, "")
        .toLowerCase()}.png`;
      await d.chat.upload(channel, threadTs, { filename, title: chart.title, altText: chartAltText(chart), png });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      d.log.warn({ chart: title, reason }, "memory chart not posted");
      await d.chat.post(channel, d.view.chartFailed(title, reason), threadTs).catch((err: unknown) => {
        if (!(err instanceof PortError)) throw err;
      });
    }
  }
}
