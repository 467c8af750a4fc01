import type { Sample } from "../model.ts";
import { exactQuantity } from "../quantity.ts";
import type { MemoryChart } from "./memory-chart.ts";

/** Draws a memory chart as SVG: lines per container, limit and request lines, OOM-kill markers, dashed forecasts. */

const W = 1000;
const LEFT = 78,
  RIGHT = 24,
  TOP = 64,
  PLOT_H = 300;
const PLOT_W = W - LEFT - RIGHT;
const BOTTOM = TOP + PLOT_H;
const LEGEND_ROW = 20;
const FONT = "DejaVu Sans";
const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#bcbd22",
  "#7f7f7f",
  "#393b79",
];
const LIMIT = "#d62728",
  REQUEST = "#6b6b6b";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n = (x: number) => (Math.round(x * 10) / 10).toString();
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const MI = 2 ** 20;
/** A power-of-two step (at least 1Mi) that gives at most 6 gridlines. */
function byteStep(max: number): number {
  let step = MI;
  while (max / step > 6) step *= 2;
  return step;
}

const TIME_STEPS = [300, 900, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 2 * 86_400, 7 * 86_400];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function timeLabel(t: number, step: number): string {
  const d = new Date(t * 1000);
  const day = `${MONTHS[d.getUTCMonth()] ?? ""} ${d.getUTCDate()}`;
  if (step >= 86_400 || (d.getUTCHours() === 0 && d.getUTCMinutes() === 0)) return day;
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

/** Splits a series where samples are missing (more than 3 steps apart), so gaps are not drawn as lines. */
function runs(points: readonly Sample[]): Sample[][] {
  const gaps = points
    .slice(1)
    .map((p, i) => p.t - (points[i]?.t ?? p.t))
    .sort((a, b) => a - b);
  const typical = gaps[Math.floor(gaps.length / 2)] ?? 0;
  const out: Sample[][] = [];
  let cur: Sample[] = [];
  for (const p of points) {
    const prev = cur[cur.length - 1];
    if (prev && typical > 0 && p.t - prev.t > 3 * typical) {
      out.push(cur);
      cur = [];
    }
    cur.push(p);
  }
  if (cur.length) out.push(cur);
  return out;
}

export function chartHeight(c: MemoryChart): number {
  return BOTTOM + 44 + Math.ceil((c.series.length + 1) / 2) * LEGEND_ROW + 8;
}

/** Where a time and a value land on the plot, and the y axis's step. */
interface Scale {
  x: (t: number) => number;
  y: (v: number) => number;
  yMax: number;
  step: number;
  span: number;
}

function scaleOf(c: MemoryChart): Scale {
  const peak = Math.max(
    1,
    ...c.series.flatMap((s) => s.points.map((p) => p.v)),
    ...c.thresholds.flatMap((t) => t.steps.map((s) => s.bytes)),
  );
  const step = byteStep(peak * 1.08);
  const yMax = Math.ceil((peak * 1.08) / step) * step;
  const span = Math.max(1, c.end - c.start);
  return {
    x: (t) => LEFT + ((t - c.start) / span) * PLOT_W,
    y: (v) => BOTTOM - (v / yMax) * PLOT_H,
    yMax,
    step,
    span,
  };
}

/** The shaded future, the grid with its labels, the time ticks and the "now" line. */
function axes(c: MemoryChart, { x, y, yMax, step, span }: Scale): string[] {
  const out: string[] = [];
  // the future, shaded
  if (c.end > c.now)
    out.push(
      `<rect x="${n(x(c.now))}" y="${TOP}" width="${n(x(c.end) - x(c.now))}" height="${PLOT_H}" fill="#f4f4f4"/>`,
    );

  // y grid and labels
  for (let v = 0; v <= yMax + 1; v += step) {
    out.push(
      `<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${n(y(v))}" y2="${n(y(v))}" stroke="#e3e3e3" stroke-width="1"/>`,
    );
    out.push(
      `<text x="${LEFT - 8}" y="${n(y(v) + 4)}" font-size="11" fill="#616061" text-anchor="end">${v === 0 ? "0" : exactQuantity(v)}</text>`,
    );
  }
  // x ticks
  const tStep = TIME_STEPS.find((s) => span / s <= 8) ?? 7 * 86_400;
  for (let t = Math.ceil(c.start / tStep) * tStep; t <= c.end; t += tStep) {
    out.push(`<line x1="${n(x(t))}" x2="${n(x(t))}" y1="${BOTTOM}" y2="${BOTTOM + 5}" stroke="#8d8d8d"/>`);
    out.push(
      `<text x="${n(x(t))}" y="${BOTTOM + 19}" font-size="11" fill="#616061" text-anchor="middle">${timeLabel(t, tStep)}</text>`,
    );
  }
  out.push(`<line x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${BOTTOM}" y2="${BOTTOM}" stroke="#8d8d8d"/>`);
  if (c.end > c.now) {
    out.push(
      `<line x1="${n(x(c.now))}" x2="${n(x(c.now))}" y1="${TOP}" y2="${BOTTOM}" stroke="#8d8d8d" stroke-dasharray="2 3"/>`,
    );
    out.push(`<text x="${n(x(c.now) + 4)}" y="${TOP + 12}" font-size="11" fill="#616061">now</text>`);
  }

  return out;
}

/** Limit and request lines (stepped where the limit changed) and, apart, their labels (drawn over the data). */
function thresholds(c: MemoryChart, { x, y }: Scale): { lines: string[]; labels: string[] } {
  const out: string[] = [];
  const labels: string[] = [];
  for (const th of c.thresholds) {
    const color = th.kind === "limit" ? LIMIT : REQUEST;
    // a step line: each value from when it took effect to the next change (or the plot's edge)
    const points = th.steps.flatMap((s, i) => {
      const from = x(Math.max(s.from, c.start));
      const to = x(Math.min(th.steps[i + 1]?.from ?? c.end, c.end));
      return [`${n(from)},${n(y(s.bytes))}`, `${n(to)},${n(y(s.bytes))}`];
    });
    out.push(
      `<polyline fill="none" points="${points.join(" ")}" stroke="${color}" stroke-width="1.5"${th.kind === "request" ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    labels.push(
      `<text x="${LEFT + PLOT_W - 4}" y="${n(y(th.bytes) - 5)}" font-size="11" fill="${color}" text-anchor="end" stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(th.label)}</text>`,
    );
  }

  return { lines: out, labels };
}

/** Each series, its forecast to the limit, and its OOM kills. */
function seriesLayer(c: MemoryChart, { x, y }: Scale): string[] {
  const out: string[] = [];
  out.push(`<g clip-path="url(#plot)">`);
  c.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length] ?? "#000";
    for (const run of runs(s.points)) {
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" points="${run.map((p) => `${n(x(p.t))},${n(y(p.v))}`).join(" ")}"/>`,
      );
    }
    if (s.forecast) {
      const { from, at, limitBytes } = s.forecast;
      out.push(
        `<line x1="${n(x(from.t))}" y1="${n(y(from.v))}" x2="${n(x(at))}" y2="${n(y(limitBytes))}" stroke="${color}" stroke-width="2" stroke-dasharray="7 5"/>`,
      );
      if (at <= c.end)
        out.push(
          `<circle cx="${n(x(at))}" cy="${n(y(limitBytes))}" r="4" fill="none" stroke="${color}" stroke-width="2"/>`,
        );
    }
    for (const o of s.ooms) out.push(cross(x(o.t), y(o.v), LIMIT));
  });
  out.push(`</g>`);
  return out;
}

/** Two columns under the plot, then the OOM marker's key. */
function legend(c: MemoryChart): string[] {
  const out: string[] = [];
  const col = PLOT_W / 2;
  c.series.forEach((s, i) => {
    const lx = LEFT + (i % 2) * col,
      ly = BOTTOM + 44 + Math.floor(i / 2) * LEGEND_ROW;
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${PALETTE[i % PALETTE.length] ?? "#000"}" stroke-width="3"/>`,
    );
    out.push(
      `<text x="${lx + 24}" y="${ly}" font-size="11" fill="#1d1c1d">${esc(clip(`${s.label} — ${s.verdict}`, 72))}</text>`,
    );
  });
  if (c.series.some((s) => s.ooms.length > 0)) {
    const i = c.series.length,
      lx = LEFT + (i % 2) * col + 9,
      ly = BOTTOM + 44 + Math.floor(i / 2) * LEGEND_ROW;
    out.push(cross(lx, ly - 4, LIMIT));
    out.push(`<text x="${lx + 15}" y="${ly}" font-size="11" fill="#1d1c1d">OOM kill</text>`);
  }
  return out;
}

export function chartSvg(c: MemoryChart): string {
  const H = chartHeight(c);
  const sc = scaleOf(c);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`,
  );
  out.push(
    `<defs><clipPath id="plot"><rect x="${LEFT}" y="${TOP}" width="${PLOT_W}" height="${PLOT_H}"/></clipPath></defs>`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${LEFT}" y="26" font-size="17" font-weight="bold" fill="#1d1c1d">${esc(clip(c.title, 90))}</text>`,
  );
  out.push(`<text x="${LEFT}" y="47" font-size="12" fill="#616061">${esc(c.subtitle)}</text>`);

  const { lines, labels } = thresholds(c, sc);
  out.push(...axes(c, sc), ...lines, ...seriesLayer(c, sc), ...labels);
  out.push(`<rect x="${LEFT}" y="${TOP}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#c8c8c8"/>`);
  out.push(...legend(c), `</svg>`);
  return out.join("\n");
}

function cross(cx: number, cy: number, color: string): string {
  const r = 5;
  return `<path d="M${n(cx - r)},${n(cy - r)} L${n(cx + r)},${n(cy + r)} M${n(cx - r)},${n(cy + r)} L${n(cx + r)},${n(cy - r)}" stroke="${color}" stroke-width="2.5"/>`;
}
