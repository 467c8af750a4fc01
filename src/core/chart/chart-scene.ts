import type { Sample } from "../model.ts";
import { exactQuantity } from "../quantity.ts";
import type { MemoryChart } from "./memory-chart.ts";

/**
 * A memory chart laid out as drawing primitives: lines per container, limit and request lines, OOM-kill
 * markers, dashed forecasts, the axes and the legend. Pure; `src/chart/draw-chart.ts` rasterises it.
 */

/** A colour as "#rrggbb". */
export type Color = string;
export interface Stroke {
  color: Color;
  width: number;
  /** on, off lengths in pixels */
  dash?: readonly [number, number];
}
export type Shape =
  | { kind: "rect"; x: number; y: number; w: number; h: number; fill?: Color; stroke?: Color }
  | { kind: "path"; points: readonly { x: number; y: number }[]; stroke: Stroke; role?: "forecast" | "oom" }
  | { kind: "ring"; x: number; y: number; r: number; stroke: Stroke }
  | {
      kind: "text";
      x: number;
      y: number;
      text: string;
      size: 11 | 12 | 17;
      bold?: boolean;
      color: Color;
      anchor?: "start" | "middle" | "end";
      /** a white outline, for a label drawn over the data */
      halo?: boolean;
    };
/** Shapes drawn in order; a layer with a clip draws only inside it. */
export interface Layer {
  clip?: { x: number; y: number; w: number; h: number };
  shapes: Shape[];
}
export interface Scene {
  width: number;
  height: number;
  layers: Layer[];
}

const W = 1000;
const LEFT = 78,
  RIGHT = 24,
  TOP = 64,
  PLOT_H = 300;
const PLOT_W = W - LEFT - RIGHT;
const BOTTOM = TOP + PLOT_H;
const LEGEND_ROW = 20;
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
  REQUEST = "#6b6b6b",
  INK = "#1d1c1d",
  MUTED = "#616061",
  AXIS = "#8d8d8d";

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const color = (i: number) => PALETTE[i % PALETTE.length] ?? "#000000";
const segment = (x1: number, y1: number, x2: number, y2: number, stroke: Stroke, role?: "forecast" | "oom"): Shape => ({
  kind: "path",
  points: [
    { x: x1, y: y1 },
    { x: x2, y: y2 },
  ],
  stroke,
  ...(role ? { role } : {}),
});

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
function axes(c: MemoryChart, { x, y, yMax, step, span }: Scale): Shape[] {
  const out: Shape[] = [];
  const grid = { color: "#e3e3e3", width: 1 };
  if (c.end > c.now)
    out.push({ kind: "rect", x: x(c.now), y: TOP, w: x(c.end) - x(c.now), h: PLOT_H, fill: "#f4f4f4" });
  for (let v = 0; v <= yMax + 1; v += step) {
    out.push(segment(LEFT, y(v), LEFT + PLOT_W, y(v), grid));
    const label = v === 0 ? "0" : exactQuantity(v);
    out.push({ kind: "text", x: LEFT - 8, y: y(v) + 4, text: label, size: 11, color: MUTED, anchor: "end" });
  }
  const tStep = TIME_STEPS.find((s) => span / s <= 8) ?? 7 * 86_400;
  for (let t = Math.ceil(c.start / tStep) * tStep; t <= c.end; t += tStep) {
    out.push(segment(x(t), BOTTOM, x(t), BOTTOM + 5, { color: AXIS, width: 1 }));
    const label = timeLabel(t, tStep);
    out.push({ kind: "text", x: x(t), y: BOTTOM + 19, text: label, size: 11, color: MUTED, anchor: "middle" });
  }
  out.push(segment(LEFT, BOTTOM, LEFT + PLOT_W, BOTTOM, { color: AXIS, width: 1 }));
  if (c.end > c.now) {
    out.push(segment(x(c.now), TOP, x(c.now), BOTTOM, { color: AXIS, width: 1, dash: [2, 3] }));
    out.push({ kind: "text", x: x(c.now) + 4, y: TOP + 12, text: "now", size: 11, color: MUTED });
  }
  return out;
}

/** Limit and request lines (stepped where the limit changed) and, apart, their labels (drawn over the data). */
function thresholds(c: MemoryChart, { x, y }: Scale): { lines: Shape[]; labels: Shape[] } {
  const lines: Shape[] = [];
  const labels: Shape[] = [];
  for (const th of c.thresholds) {
    const ink = th.kind === "limit" ? LIMIT : REQUEST;
    // a step line: each value from when it took effect to the next change (or the plot's edge)
    const points = th.steps.flatMap((s, i) => {
      const from = x(Math.max(s.from, c.start));
      const to = x(Math.min(th.steps[i + 1]?.from ?? c.end, c.end));
      return [
        { x: from, y: y(s.bytes) },
        { x: to, y: y(s.bytes) },
      ];
    });
    lines.push({
      kind: "path",
      points,
      stroke: { color: ink, width: 1.5, ...(th.kind === "request" ? { dash: [6, 4] as const } : {}) },
    });
    const at = { x: LEFT + PLOT_W - 4, y: y(th.bytes) - 5 };
    labels.push({ kind: "text", ...at, text: th.label, size: 11, color: ink, anchor: "end", halo: true });
  }
  return { lines, labels };
}

function cross(cx: number, cy: number): Shape[] {
  const r = 5;
  const stroke = { color: LIMIT, width: 2.5 };
  return [segment(cx - r, cy - r, cx + r, cy + r, stroke, "oom"), segment(cx - r, cy + r, cx + r, cy - r, stroke)];
}

/** Each series, its forecast to the limit, and its OOM kills. */
function seriesShapes(c: MemoryChart, { x, y }: Scale): Shape[] {
  const out: Shape[] = [];
  c.series.forEach((s, i) => {
    for (const run of runs(s.points))
      out.push({
        kind: "path",
        points: run.map((p) => ({ x: x(p.t), y: y(p.v) })),
        stroke: { color: color(i), width: 2 },
      });
    if (s.forecast) {
      const { from, at, limitBytes } = s.forecast;
      const dashed = { color: color(i), width: 2, dash: [7, 5] as const };
      out.push(segment(x(from.t), y(from.v), x(at), y(limitBytes), dashed, "forecast"));
      if (at <= c.end)
        out.push({ kind: "ring", x: x(at), y: y(limitBytes), r: 4, stroke: { color: color(i), width: 2 } });
    }
    for (const o of s.ooms) out.push(...cross(x(o.t), y(o.v)));
  });
  return out;
}

/** Two columns under the plot, then the OOM marker's key. */
function legend(c: MemoryChart): Shape[] {
  const out: Shape[] = [];
  const col = PLOT_W / 2;
  const at = (i: number) => ({ x: LEFT + (i % 2) * col, y: BOTTOM + 44 + Math.floor(i / 2) * LEGEND_ROW });
  c.series.forEach((s, i) => {
    const { x, y } = at(i);
    out.push(segment(x, y - 4, x + 18, y - 4, { color: color(i), width: 3 }));
    out.push({ kind: "text", x: x + 24, y, text: clip(`${s.label} — ${s.verdict}`, 72), size: 11, color: INK });
  });
  if (c.series.some((s) => s.ooms.length > 0)) {
    const { x, y } = at(c.series.length);
    out.push(...cross(x + 9, y - 4));
    out.push({ kind: "text", x: x + 24, y, text: "OOM kill", size: 11, color: INK });
  }
  return out;
}

export function chartScene(c: MemoryChart): Scene {
  const sc = scaleOf(c);
  const { lines, labels } = thresholds(c, sc);
  const plot = { x: LEFT, y: TOP, w: PLOT_W, h: PLOT_H };
  return {
    width: W,
    height: chartHeight(c),
    layers: [
      {
        shapes: [
          { kind: "text", x: LEFT, y: 26, text: clip(c.title, 90), size: 17, bold: true, color: INK },
          { kind: "text", x: LEFT, y: 47, text: c.subtitle, size: 12, color: MUTED },
          ...axes(c, sc),
          ...lines,
        ],
      },
      { clip: plot, shapes: seriesShapes(c, sc) },
      { shapes: [...labels, { kind: "rect", ...plot, stroke: "#c8c8c8" }, ...legend(c)] },
    ],
  };
}
