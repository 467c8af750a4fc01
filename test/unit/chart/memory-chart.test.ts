import { describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import { drawChart } from "../../../src/chart/draw-chart.ts";
import { chartScene, type Scene, type Shape } from "../../../src/core/chart/chart-scene.ts";
import { ALT_TEXT_MAX, chartAltText, memoryChart } from "../../../src/core/chart/memory-chart.ts";
import { classify } from "../../../src/core/classify.ts";
import type { TrendRow } from "../../../src/core/findings.ts";
import type { Sample } from "../../../src/core/model.ts";
import { podWorkload, workloadFromPodName } from "../../../src/core/pod-workload.ts";

const MI = 2 ** 20,
  NOW = 1_790_000_000,
  WINDOW = 6 * 3600;
const minutes = (f: (i: number) => number): Sample[] =>
  Array.from({ length: WINDOW / 60 }, (_, i) => ({ t: NOW - WINDOW + i * 60, v: f(i) * MI }));

function row(pod: string, series: Sample[], opts: { limit?: number | null; restarts?: Sample[] } = {}): TrendRow {
  const limitBytes = opts.limit === undefined ? 512 * MI : opts.limit;
  return {
    pod,
    container: "api",
    workload: "deployment/api",
    limitBytes,
    requestBytes: 256 * MI,
    limits: [{ from: NOW - WINDOW, bytes: limitBytes }],
    series,
    analysis: classify({ series, limitBytes, now: NOW, ...(opts.restarts ? { restarts: opts.restarts } : {}) }),
  };
}
const findings = (rows: TrendRow[]) => ({
  windowStart: NOW - WINDOW,
  windowEnd: NOW,
  rows,
  totalContainers: rows.length,
});
const shapes = (scene: Scene): Shape[] => scene.layers.flatMap((l) => l.shapes);
const texts = (scene: Scene) => shapes(scene).flatMap((s) => (s.kind === "text" ? [s.text] : []));
const dashedForecasts = (scene: Scene) =>
  shapes(scene).filter((s) => s.kind === "path" && s.role === "forecast" && s.stroke.dash).length;
const oomCrosses = (scene: Scene) => shapes(scene).filter((s) => s.kind === "path" && s.role === "oom").length;
const rings = (scene: Scene) => shapes(scene).filter((s) => s.kind === "ring");

describe("the memory chart", () => {
  const leak = row(
    "api-1",
    minutes((i) => 250 + i * 0.6),
  );
  const sawtooth = row(
    "api-2",
    minutes((i) => 200 + (i % 120) * 2.6),
    { restarts: minutes((i) => Math.floor(i / 120) / MI) },
  );
  const flat = row(
    "api-3",
    minutes((i) => 180 + 4 * Math.sin(i / 5)),
  );

  it("draws a stable container without a forecast, and the axis ends now", () => {
    const c = memoryChart(findings([flat]), "deploy/api -n shop");
    expect(c.end).toBe(NOW);
    const scene = chartScene(c);
    expect(dashedForecasts(scene)).toBe(0);
    expect(texts(scene)).toEqual(expect.arrayContaining(["limit 512Mi", "request 256Mi", "api-3/api — stable"]));
  });

  it("dashes a leak's forecast up to the limit, inside the chart when it is near", () => {
    expect(leak.analysis.classification).toBe("leak");
    const c = memoryChart(findings([leak]), "deploy/api -n shop");
    const at = NOW + (leak.analysis.timeToLimitSeconds ?? 0);
    expect(c.end).toBeGreaterThan(at);
    const scene = chartScene(c);
    expect(dashedForecasts(scene)).toBe(1);
    expect(rings(scene)).toHaveLength(1); // the crossing, shown
    expect(texts(scene)).toContain("now");
  });

  it("runs a far-off forecast off the right edge rather than squeezing the window", () => {
    const slow = row(
      "api-1",
      minutes((i) => 250 + i * 0.5),
      { limit: 4096 * MI },
    );
    const c = memoryChart(findings([slow]), "deploy/api -n shop");
    expect(slow.analysis.timeToLimitSeconds).toBeGreaterThan(WINDOW);
    expect(c.end - NOW).toBeCloseTo(0.35 * WINDOW, 0);
    const scene = chartScene(c);
    expect(dashedForecasts(scene)).toBe(1);
    expect(rings(scene)).toHaveLength(0);
  });

  it("marks every OOM kill the analysis found", () => {
    expect(sawtooth.analysis.classification).toBe("oom-cycle");
    const kills = sawtooth.analysis.oomKillTimes;
    expect(kills.length).toBe(2);
    const scene = chartScene(memoryChart(findings([sawtooth, flat]), "deploy/api -n shop"));
    expect(oomCrosses(scene)).toBe(kills.length + 1); // + the legend's marker
    expect(texts(scene)).toContain("OOM kill");
  });

  it("steps the limit line where the limit changed, and keeps the kills at the limit they happened at", () => {
    const raisedAt = NOW - WINDOW / 4;
    const fixed = {
      ...sawtooth,
      limits: [
        { from: NOW - WINDOW, bytes: 512 * MI },
        { from: raisedAt, bytes: 640 * MI },
      ],
    };
    const c = memoryChart(findings([fixed]), "deploy/api -n shop");
    expect(c.thresholds.find((t) => t.kind === "limit")).toMatchObject({
      label: "limit 512Mi → 640Mi",
      bytes: 640 * MI,
      steps: [
        { from: NOW - WINDOW, bytes: 512 * MI },
        { from: raisedAt, bytes: 640 * MI },
      ],
    });
    expect(c.series[0]!.ooms.every((o) => o.v === 512 * MI)).toBe(true);
    const scene = chartScene(c);
    // one polyline with a vertical step: four points, two heights
    const limitLines = shapes(scene).filter(
      (s) => s.kind === "path" && s.stroke.color === "#d62728" && s.stroke.width === 1.5,
    );
    expect(limitLines).toHaveLength(1);
    const line = limitLines[0]!.kind === "path" ? limitLines[0]!.points : [];
    expect(line).toHaveLength(4);
    expect(new Set(line.map((p) => p.y)).size).toBe(2);
    expect(line[1]!.x).toBe(line[2]!.x);
    expect(chartAltText(c)).toContain(
      `The limit changed: 512Mi → 640Mi at ${new Date(raisedAt * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC.`,
    );
  });

  it("draws one limit line per distinct limit, and labels names as they are", () => {
    const other = {
      ...row(
        "a<b>&c",
        minutes(() => 100),
      ),
      container: "sidecar",
      limitBytes: 128 * MI,
      limits: [{ from: NOW - WINDOW, bytes: 128 * MI }],
      requestBytes: null,
    };
    const scene = chartScene(memoryChart(findings([leak, flat, other]), "deploy/api -n shop"));
    expect(texts(scene).filter((t) => t.startsWith("limit "))).toHaveLength(2);
    expect(texts(scene)).toContain("limit 128Mi (sidecar)");
    expect(texts(scene).some((t) => t.startsWith("a<b>&c/sidecar — "))).toBe(true);
  });

  it("describes itself within Slack's alt text limit, naming what it leaves out", () => {
    const rows = Array.from({ length: 10 }, (_, i) =>
      row(
        `a-very-long-pod-name-from-a-statefulset-with-a-long-name-${i}`,
        minutes((j) => 250 + j * 0.5),
      ),
    );
    const text = chartAltText(memoryChart(findings(rows), "deploy/api -n shop"));
    expect(text.length).toBeLessThanOrEqual(ALT_TEXT_MAX);
    expect(text).toMatch(/^Line chart of the memory working set of deploy\/api -n shop over the last 6h\./);
    expect(text).toMatch(
      /statefulset-with-a-long-name-0\/api: leak, limit in ~[^;]+; 251Mi to 430Mi of a 512Mi limit\./,
    );
    expect(text).toMatch(/ And \d more\.$/);
  });

  it("renders to a PNG: the plot's lines in their colours, the text in ink, the rest white", () => {
    const c = memoryChart(findings([leak, sawtooth]), "deploy/api -n shop");
    const scene = chartScene(c);
    const png = Buffer.from(drawChart(scene));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1000, scene.height]);
    const raw = inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)));
    const px = (x: number, y: number) => [...raw.subarray(y * 3001 + 1 + x * 3, y * 3001 + 1 + x * 3 + 3)];
    // the first series starts at the plot's left edge, in the palette's first colour
    const first = shapes(scene).find((s) => s.kind === "path" && s.stroke.color === "#1f77b4" && !s.role);
    const start = first?.kind === "path" ? first.points[3]! : { x: 0, y: 0 };
    expect(px(Math.floor(start.x), Math.floor(start.y))).toEqual([0x1f, 0x77, 0xb4]);
    expect(px(2, 2)).toEqual([255, 255, 255]);
    // the title is drawn: dark pixels where its text sits, none above it
    const row = (y: number) => Array.from({ length: 300 }, (_, x) => px(78 + x, y));
    expect(row(20).filter(([r]) => r! < 80).length).toBeGreaterThan(20);
    expect(row(4).every(([r, g, b]) => r === 255 && g === 255 && b === 255)).toBe(true);
  });
});

describe("which workload a pod belongs to", () => {
  const owners = (kind: string, name: string) => [{ kind, name, uid: "u", controller: true }];
  it("follows the controller, through a Deployment's ReplicaSet", () => {
    expect(
      podWorkload({
        name: "api-7d9c8f6b5d-x2x9q",
        owners: owners("ReplicaSet", "api-7d9c8f6b5d"),
        labels: { "pod-template-hash": "7d9c8f6b5d" },
      }),
    ).toBe("deployment/api");
    expect(podWorkload({ name: "db-0", owners: owners("StatefulSet", "db"), labels: {} })).toBe("statefulset/db");
    expect(podWorkload({ name: "solo", owners: [], labels: {} })).toBe("pod/solo");
  });
  it("guesses from the generated name when the pod is gone", () => {
    expect(workloadFromPodName("api-7d9c8f6b5d-x2x9q")).toBe("deployment/api");
    expect(workloadFromPodName("db-12")).toBe("statefulset/db");
    expect(workloadFromPodName("agent-x2x9q")).toBe("daemonset/agent");
  });
});
