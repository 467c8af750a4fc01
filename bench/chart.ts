/**
 * npm run bench:chart — how long the chart of one diagnosed workload takes: the scene from the trend
 * findings, the PNG from the scene, and what the process's RSS pays for it.
 */
import { cpus } from "node:os";
import { drawChart } from "../src/chart/draw-chart.ts";
import { chartScene } from "../src/core/chart/chart-scene.ts";
import { memoryChart } from "../src/core/chart/memory-chart.ts";
import { classify } from "../src/core/classify.ts";
import type { TrendRow } from "../src/core/findings.ts";
import { rng } from "../test/scenarios/generators.ts";

const MiB = 2 ** 20,
  NOW = 1_790_000_000,
  WINDOW = 6 * 3600,
  RUNS = Number(process.env["BENCH_CHARTS"] ?? 50);
const r = rng(3);
// six containers of 6 h of 1-minute samples: a leak, an OOM cycle, four stable (the shop scenario's shape)
const rows: TrendRow[] = Array.from({ length: 6 }, (_, k) => {
  const series = Array.from({ length: WINDOW / 60 }, (_, i) => ({
    t: NOW - WINDOW + i * 60,
    v: (k === 0 ? 200 + i * 0.75 : k === 1 ? 150 + (i % 75) * 4.8 : 40 + 60 * k) * MiB + r() * 4 * MiB,
  }));
  const restarts = k === 1 ? series.map((s, i) => ({ t: s.t, v: Math.floor(i / 75) })) : [];
  return {
    pod: `api-7d9c8f6b5d-pod${k}`,
    container: k < 3 ? "api" : "envoy",
    workload: "deployment/api",
    limitBytes: k < 3 ? 512 * MiB : 128 * MiB,
    requestBytes: k < 3 ? 256 * MiB : 64 * MiB,
    limits: [{ from: NOW - WINDOW, bytes: k < 3 ? 512 * MiB : 128 * MiB }],
    series,
    analysis: classify({ series, restarts, limitBytes: k < 3 ? 512 * MiB : 128 * MiB, now: NOW }),
  };
});
const findings = { windowStart: NOW - WINDOW, windowEnd: NOW, rows, totalContainers: rows.length };

// the chart's cost is what the process holds while drawing: sample RSS and the heap around each chart
const rss0 = process.memoryUsage().rss;
let t = performance.now();
const first = drawChart(chartScene(memoryChart(findings, "deploy/api -n shop")));
const firstMs = performance.now() - t;
let peak = process.memoryUsage().rss;
const sceneMs: number[] = [],
  pngMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  t = performance.now();
  const scene = chartScene(memoryChart(findings, "deploy/api -n shop"));
  sceneMs.push(performance.now() - t);
  t = performance.now();
  drawChart(scene);
  pngMs.push(performance.now() - t);
  peak = Math.max(peak, process.memoryUsage().rss);
}
await new Promise((r) => setTimeout(r, 500));
const rss3 = process.memoryUsage().rss;
const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
console.log(`## \`npm run bench:chart\`

One workload's chart (6 containers, 6 h of 1-minute samples), ${RUNS} runs after the first, on ${cpus()[0]?.model ?? "?"}, Node ${process.version}, NODE_OPTIONS \`${process.env["NODE_OPTIONS"] ?? ""}\`.

| | p50 | p95 |
|---|---|---|
| scene from the findings | ${p(sceneMs, 0.5).toFixed(1)} ms | ${p(sceneMs, 0.95).toFixed(1)} ms |
| PNG from the scene (memops's rasteriser + zlib) | ${p(pngMs, 0.5).toFixed(1)} ms | ${p(pngMs, 0.95).toFixed(1)} ms |

- first chart of a process: ${firstMs.toFixed(0)} ms; peak RSS over all ${RUNS + 1} charts ${((peak - rss0) / MiB).toFixed(1)} MiB above the start, ${((rss3 - rss0) / MiB).toFixed(1)} MiB after them
- PNG size ${(first.byteLength / 1024).toFixed(0)} KiB`);
