/**
 * The rightsizing digest as a picture (issue 15): one row per workload worth acting on — the most
 * over-provisioned, then the under-provisioned — each a bar of its week's peak working set on one
 * shared memory axis, with its request and limit now (grey and red ticks) and memops's recommended
 * request and limit (hollow markers, joined to the current values by an arrow). Pure, like the
 * memory chart; `src/chart/draw-chart.ts` rasterises it.
 */
import { formatBytes } from "../quantity.ts";
import { shortWorkload } from "../target.ts";
import type { Digest, DigestRow } from "../watch/digest.ts";
import type { Layer, Scene, Shape } from "./chart-scene.ts";

const W = 1000,
  LEFT = 300,
  RIGHT = 30,
  TOP = 70,
  ROW = 34,
  BAR = 12;
const PLOT_W = W - LEFT - RIGHT;
const PEAK = "#1f77b4",
  REQUEST = "#6b6b6b",
  LIMIT = "#d62728",
  REC = "#2ca02c",
  INK = "#1d1c1d",
  MUTED = "#616061",
  GRID = "#e8e8e8";

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const MI = 2 ** 20;

function byteStep(max: number): number {
  let step = MI;
  while (max / step > 6) step *= 2;
  return step;
}

/** The rows the picture shows: over-provisioned first, then under, each workload once. */
export function digestChartRows(d: Digest): { row: DigestRow; why: "over" | "under" }[] {
  const over = d.over.map((row) => ({ row, why: "over" as const }));
  return [...over, ...d.under.filter((r) => !d.over.includes(r)).map((row) => ({ row, why: "under" as const }))];
}

export function digestScene(d: Digest, title: string): Scene | null {
  const rows = digestChartRows(d);
  if (rows.length === 0) return null;
  const values = rows.flatMap(({ row: r }) =>
    [r.peakBytes, r.requestBytes, r.limitBytes, r.recommendedRequest, r.recommendedLimit].filter(
      (v): v is number => v !== null,
    ),
  );
  const step = byteStep(Math.max(MI, ...values));
  const max = Math.ceil(Math.max(MI, ...values) / step) * step;
  const x = (v: number) => LEFT + (v / max) * PLOT_W;
  const bottom = TOP + rows.length * ROW;
  const height = bottom + 70;
  const shapes: Shape[] = [
    { kind: "rect", x: 0, y: 0, w: W, h: height, fill: "#ffffff" },
    { kind: "text", x: 16, y: 28, text: clip(title, 80), size: 17, bold: true, color: INK },
    {
      kind: "text",
      x: 16,
      y: 50,
      text: `${d.rows.length} containers over 7 days; ${formatBytes(d.freeableBytes)} of requests held beyond the recommendation`,
      size: 12,
      color: MUTED,
    },
  ];
  for (let v = 0; v <= max; v += step) {
    shapes.push(
      {
        kind: "path",
        points: [
          { x: x(v), y: TOP - 6 },
          { x: x(v), y: bottom },
        ],
        stroke: { color: GRID, width: 1 },
      },
      { kind: "text", x: x(v), y: bottom + 16, text: formatBytes(v), size: 11, color: MUTED, anchor: "middle" },
    );
  }
  rows.forEach(({ row: r, why }, i) => {
    const mid = TOP + i * ROW + ROW / 2;
    const name = `${shortWorkload(r.workload)} (${r.container}) -n ${r.namespace}`;
    shapes.push(
      { kind: "text", x: LEFT - 12, y: mid - 2, text: clip(name, 44), size: 12, bold: true, color: INK, anchor: "end" },
      {
        kind: "text",
        x: LEFT - 12,
        y: mid + 12,
        text:
          why === "over" ? `frees ${formatBytes(r.freeableBytes)} of requests` : `${r.classification}: limit too low`,
        size: 11,
        color: why === "over" ? REC : LIMIT,
        anchor: "end",
      },
      { kind: "rect", x: LEFT, y: mid - BAR / 2, w: Math.max(1, x(r.peakBytes) - LEFT), h: BAR, fill: PEAK },
    );
    const tick = (v: number | null, color: string) =>
      v === null
        ? []
        : [
            {
              kind: "path" as const,
              points: [
                { x: x(v), y: mid - BAR },
                { x: x(v), y: mid + BAR },
              ],
              stroke: { color, width: 3 },
            },
          ];
    const marker = (v: number | null, color: string): Shape[] =>
      v === null ? [] : [{ kind: "ring", x: x(v), y: mid, r: 5, stroke: { color, width: 2 } }];
    const arrow = (from: number | null, to: number | null): Shape[] =>
      from === null || to === null || Math.abs(x(from) - x(to)) < 8
        ? []
        : [
            {
              kind: "path",
              points: [
                { x: x(from), y: mid - BAR - 3 },
                { x: x(to), y: mid - BAR - 3 },
              ],
              stroke: { color: REC, width: 1.5, dash: [4, 3] },
            },
          ];
    shapes.push(
      ...tick(r.requestBytes, REQUEST),
      ...tick(r.limitBytes, LIMIT),
      ...(why === "over" ? arrow(r.requestBytes, r.recommendedRequest) : arrow(r.limitBytes, r.recommendedLimit)),
      ...marker(why === "over" ? r.recommendedRequest : r.recommendedLimit, REC),
    );
  });
  const legend: [string, string][] = [
    ["peak working set, 7 days", PEAK],
    ["request now", REQUEST],
    ["limit now", LIMIT],
    ["memops's recommendation", REC],
  ];
  legend.forEach(([label, color], i) => {
    const lx = 16 + i * 240;
    shapes.push(
      { kind: "rect", x: lx, y: bottom + 36, w: 14, h: 10, fill: color },
      { kind: "text", x: lx + 20, y: bottom + 45, text: label, size: 12, color: INK },
    );
  });
  const layers: Layer[] = [{ shapes }];
  return { width: W, height, layers };
}

/** What the picture says, for the image's alt text. */
export function digestAltText(d: Digest): string {
  const rows = digestChartRows(d);
  return `Bar chart of ${rows.length} workloads: ${rows
    .map(
      ({ row: r, why }) =>
        `${shortWorkload(r.workload)} peak ${formatBytes(r.peakBytes)}, ${
          why === "over"
            ? `request ${formatBytes(r.requestBytes ?? 0)} → ${formatBytes(r.recommendedRequest ?? 0)}`
            : `limit ${formatBytes(r.limitBytes ?? 0)} → ${formatBytes(r.recommendedLimit ?? 0)}`
        }`,
    )
    .join("; ")}`.slice(0, 1000);
}
