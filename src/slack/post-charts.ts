import type { Logger } from "pino";
import { svgToPng } from "../chart/svg-to-png.ts";
import { chartSvg } from "../core/chart/chart-svg.ts";
import { chartAltText, memoryChart } from "../core/chart/memory-chart.ts";
import { type Report, sectionData } from "../core/findings.ts";
import { type Chat, PortError } from "../ports.ts";
import { sections } from "./render/blocks.ts";
import { esc } from "./render/mrkdwn.ts";

/** A namespace diagnosis charts its most urgent workloads, not all of them. */
const MAX_CHARTS = 3;

/**
 * One PNG chart per diagnosed workload into the incident thread, with alt text. A chart that cannot be
 * drawn or uploaded costs the thread one line saying so; the report's sparklines carry the same trend.
 */
export async function postCharts(
  chat: Chat,
  channel: string,
  threadTs: string,
  report: Report,
  label: string,
  log: Logger,
): Promise<void> {
  const trend = sectionData(report.sections, "memory-trend");
  if (!trend || trend.rows.length === 0) return;
  const perWorkload = report.target.kind === "namespace" || report.target.kind === "selector";
  const groups = new Map<string, typeof trend.rows>();
  for (const r of trend.rows) {
    const key = perWorkload ? `${r.workload} -n ${report.target.namespace}` : label;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [title, rows] of [...groups].slice(0, MAX_CHARTS)) {
    try {
      const chart = memoryChart({ ...trend, rows }, title);
      const png = await svgToPng(chartSvg(chart));
      const filename = `memory-${title
        .replace(/[^a-z0-9]+/gi, "-")
        .replace(/^-|-$/g, "")
        .toLowerCase()}.png`;
      await chat.upload(channel, threadTs, { filename, title: chart.title, altText: chartAltText(chart), png });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      log.warn({ chart: title, reason }, "memory chart not posted");
      const text = `:warning: The memory chart of ${esc(title)} could not be posted: ${esc(reason)}. The sparklines above show the same trend.`;
      await chat.post(channel, { text, blocks: sections(text) }, threadTs).catch((err: unknown) => {
        if (!(err instanceof PortError)) throw err;
      });
    }
  }
}
