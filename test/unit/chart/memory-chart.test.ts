import { describe, expect, it } from "vitest";
import { svgToPng } from "../../../src/chart/svg-to-png.ts";
import { chartSvg } from "../../../src/core/chart/chart-svg.ts";
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
const dashedForecasts = (svg: string) => [...svg.matchAll(/<line [^>]*stroke-dasharray="7 5"/g)].length;
const oomCrosses = (svg: string) => [...svg.matchAll(/<path d="M[^"]*" stroke="#d62728"/g)].length;

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
    const svg = chartSvg(c);
    expect(dashedForecasts(svg)).toBe(0);
    expect(svg).toContain("limit 512Mi</text>");
    expect(svg).toContain("request 256Mi</text>");
    expect(svg).toContain("api-3/api — stable</text>");
  });

  it("dashes a leak's forecast up to the limit, inside the chart when it is near", () => {
    expect(leak.analysis.classification).toBe("leak");
    const c = memoryChart(findings([leak]), "deploy/api -n shop");
    const at = NOW + (leak.analysis.timeToLimitSeconds ?? 0);
    expect(c.end).toBeGreaterThan(at);
    const svg = chartSvg(c);
    expect(dashedForecasts(svg)).toBe(1);
    expect(svg).toMatch(/<circle [^>]*r="4"/); // the crossing, shown
    expect(svg).toContain(">now</text>");
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
    const svg = chartSvg(c);
    expect(dashedForecasts(svg)).toBe(1);
    expect(svg).not.toMatch(/<circle /);
  });

  it("marks every OOM kill the analysis found", () => {
    expect(sawtooth.analysis.classification).toBe("oom-cycle");
    const kills = sawtooth.analysis.oomKillTimes;
    expect(kills.length).toBe(2);
    const svg = chartSvg(memoryChart(findings([sawtooth, flat]), "deploy/api -n shop"));
    expect(oomCrosses(svg)).toBe(kills.length + 1); // + the legend's marker
    expect(svg).toContain(">OOM kill</text>");
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
    const svg = chartSvg(c);
    // one polyline with a vertical step: four points, two heights
    const line = svg.match(/<polyline fill="none" points="([^"]+)" stroke="#d62728"/)![1]!.split(" ");
    expect(line).toHaveLength(4);
    expect(new Set(line.map((p) => p.split(",")[1])).size).toBe(2);
    expect(line[1]!.split(",")[0]).toBe(line[2]!.split(",")[0]);
    expect(chartAltText(c)).toContain(
      `The limit changed: 512Mi → 640Mi at ${new Date(raisedAt * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC.`,
    );
  });

  it("draws one limit line per distinct limit, and escapes names", () => {
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
    const svg = chartSvg(memoryChart(findings([leak, flat, other]), "deploy/api -n shop"));
    expect([...svg.matchAll(/>limit /g)]).toHaveLength(2);
    expect(svg).toContain("limit 128Mi (sidecar)");
    expect(svg).toContain("a&lt;b&gt;&amp;c/sidecar");
    expect(svg).not.toContain("a<b>");
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

  it("renders to a PNG with its text (the fonts are bundled, not the system's)", async () => {
    const c = memoryChart(findings([leak, sawtooth]), "deploy/api -n shop");
    const svg = chartSvg(c);
    const png = Buffer.from(await svgToPng(svg));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(1000);
    const noText = Buffer.from(await svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, "")));
    expect(png.length).toBeGreaterThan(noText.length + 5000);
  });
});

describe("the chart worker", () => {
  it("says why a chart cannot be drawn, and keeps drawing the next ones", async () => {
    await expect(svgToPng("<svg this is not")).rejects.toThrow(/^the chart could not be drawn: /);
    const png = Buffer.from(
      await svgToPng(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>',
      ),
    );
    expect(png.readUInt32BE(16)).toBe(20);
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
