import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { fillTemplate } from "../../src/core/promql-template.ts";
import { escapeRegex } from "../../src/core/regex.ts";
import { diagnose } from "../../src/engine/run-diagnosis.ts";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import { shippedRunbooks } from "../support/app-harness.ts";
import { openMetrics, RAISED_AT, SCENARIOS, SERIES_SPAN } from "../support/integration-world.ts";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";

const env = inject("integration");

/** The backfilled samples of one series, parsed back out of the OpenMetrics text promtool read. */
function backfilled(metric: string, pod: string, container: string): Map<number, number> {
  const out = new Map<number, number>();
  const prefix = `${metric}{`;
  for (const line of openMetrics(env.now).split("\n")) {
    if (!line.startsWith(prefix) || !line.includes(`pod="${pod}"`) || !line.includes(`container="${container}"`))
      continue;
    const [, value, t] = /} (\S+) (\d+)$/.exec(line) ?? [];
    out.set(Number(t), Number(value));
  }
  return out;
}

describe.skipIf(!!env.skipped)("Prometheus adapter on a real Prometheus with backfilled data", () => {
  let metrics: PromMetrics;
  const kc = new KubeConfig();
  beforeAll(() => {
    metrics = new PromMetrics(env.prometheusUrl, 10_000);
    kc.loadFromFile(env.kubeconfig.bot);
  });

  it("returns exactly the backfilled numbers: per-step maxima of working set, rss, restarts and the limit", async () => {
    const step = 300;
    const end = Math.floor(env.now / step) * step;
    const series = await metrics.containerMemory({
      namespace: "shop",
      podPattern: "api-[a-z0-9]{1,10}-[a-z0-9]{5}",
      start: end - 2 * 3600,
      end,
      stepSeconds: step,
    });
    expect(series.map((s) => `${s.pod}/${s.container}`).sort()).toEqual([
      "api-7d9c8f6b5d-k8s7d/api",
      "api-7d9c8f6b5d-k8s7d/envoy",
      "api-7d9c8f6b5d-p0v2n/api",
      "api-7d9c8f6b5d-p0v2n/envoy",
      "api-7d9c8f6b5d-x2x9q/api",
      "api-7d9c8f6b5d-x2x9q/envoy",
    ]);
    const killed = series.find((s) => s.pod === "api-7d9c8f6b5d-x2x9q" && s.container === "api")!;
    for (const [field, metric] of [
      ["workingSet", "container_memory_working_set_bytes"],
      ["rss", "container_memory_rss"],
      ["restarts", "kube_pod_container_status_restarts_total"],
      ["limit", "kube_pod_container_resource_limits"],
    ] as const) {
      const raw = backfilled(metric, "api-7d9c8f6b5d-x2x9q", "api");
      const expected = killed[field].map((s) => ({
        t: s.t,
        v: Math.max(...[...raw].filter(([t]) => t >= s.t - step && t <= s.t).map(([, v]) => v)),
      }));
      expect(killed[field]).toHaveLength(25);
      expect(killed[field]).toEqual(expected);
    }
  });

  it("a runbook query with a dotted pod pattern is valid PromQL once filled in (the pattern's \\. escaped for its string)", async () => {
    const pods = escapeRegex("api.v2-7d9c8f6b5d-x2x9q");
    const query = 'count(container_memory_working_set_bytes{namespace="{{namespace}}", pod=~"{{pods}}"}) or vector(0)';
    // substituted raw, as before: `\.` is an escape PromQL does not know
    await expect(
      metrics.evaluate(query.replace("{{namespace}}", "shop").replace("{{pods}}", pods), env.now),
    ).rejects.toMatchObject({ code: "invalid" });
    const filled = fillTemplate(query, { namespace: "shop", pods });
    expect(filled.ok).toBe(true);
    if (filled.ok) expect(await metrics.evaluate(filled.value, env.now)).toHaveLength(1);
  });

  it("every query of the shipped Grafana dashboard is valid PromQL on the real Prometheus", async () => {
    const dashboard = JSON.parse(readFileSync("deploy/grafana/memops-dashboard.json", "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) await expect(metrics.evaluate(expr, env.now)).resolves.toBeInstanceOf(Array);
  });

  it("a range query over more series than allowed is refused with the bound; within it, the series come back", async () => {
    const window = { start: env.now - 3600, end: env.now, stepSeconds: 300 };
    await expect(
      metrics.range("container_memory_working_set_bytes", { ...window, maxSeries: 5 }),
    ).rejects.toMatchObject({ code: "invalid", message: "the query matches more than 5 series" });
    const shop = await metrics.range('container_memory_working_set_bytes{namespace="shop",pod=~"api-.*"}', {
      ...window,
      maxSeries: 50,
    });
    expect(shop.length).toBeGreaterThan(0);
    expect(shop.every((s) => s.labels["pod"]?.startsWith("api-") && s.points.length > 0)).toBe(true);
  });

  it("a bad query is a clear 'invalid', an unreachable Prometheus a clear 'unavailable'", async () => {
    await expect(metrics.evaluate("sum(", env.now)).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining("Prometheus rejected the query"),
    });
    const closed = await new Promise<number>((res) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => res(port));
      });
    });
    await expect(new PromMetrics(`http://127.0.0.1:${closed}`, 2000).evaluate("up", env.now)).rejects.toMatchObject({
      code: "unavailable",
      message: "cannot reach Prometheus (ECONNREFUSED)",
    });
  });

  it.each(SCENARIOS.map((s) => [s.name, s.expected] as const))(
    "scenario %s is classified as labelled, through the real API server and Prometheus",
    async (name, expected) => {
      const r = await diagnose(
        {
          cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
          metrics,
          clock: { now: () => env.now },
          log: pino({ level: "silent" }),
        },
        await shippedRunbooks(),
        {
          target: { kind: "deployment", name, namespace: "scenarios" },
          windowSeconds: 8 * 3600,
          runbookId: "high-memory",
        },
      );
      const trend = r.ok ? r.value.sections.find((s) => s.kind === "memory-trend") : undefined;
      expect(trend?.status).toBe("ok");
      const analysis =
        trend?.status === "ok" && trend.kind === "memory-trend" ? trend.data?.rows[0]?.analysis : undefined;
      expect({
        classification: analysis?.classification,
        ...(expected?.plateau !== undefined ? { plateau: analysis?.plateau } : {}),
      }).toEqual(expected);
    },
  );

  it("a limit raised mid-window (kube-state-metrics' limit series, no store): the OOM cycle before it stays one", async () => {
    const r = await diagnose(
      {
        cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
        metrics,
        clock: { now: () => env.now },
        log: pino({ level: "silent" }),
      },
      await shippedRunbooks(),
      { target: { kind: "deployment", name: "raised", namespace: "scenarios" }, windowSeconds: 8 * 3600 },
    );
    if (!r.ok) throw new Error(r.error);
    const trend = r.value.sections.find((s) => s.kind === "memory-trend");
    if (trend?.status !== "ok" || trend.kind !== "memory-trend") throw new Error("no trend");
    const [old, current] = trend.data?.rows ?? [];
    const raisedAt = env.now - SERIES_SPAN + RAISED_AT;
    // the gone pod is judged at its own 512Mi: an OOM cycle, answered by the raise (within a scrape step)
    expect(old).toMatchObject({ pod: "raised-7a8b9c0d1e-o1d0p", limitBytes: 512 * 2 ** 20 });
    expect(old?.analysis.classification).toBe("oom-cycle");
    expect(old?.analysis.raisedSince).toMatchObject({ from: 512 * 2 ** 20, to: 640 * 2 ** 20 });
    expect(Math.abs((old?.analysis.raisedSince?.at ?? 0) - raisedAt)).toBeLessThanOrEqual(300);
    expect(old?.limits.map((s) => s.bytes)).toEqual([512 * 2 ** 20, 640 * 2 ** 20]);
    expect(current).toMatchObject({ pod: "raised-8b9c0d1e2f-n3w0p", limitBytes: 640 * 2 ** 20 });
    expect(current?.analysis.classification).toBe("stable");
    expect(r.value.verdict.severity).toBe("warning");
    expect(r.value.verdict.headline).toMatch(
      /^raised-7a8b9c0d1e-o1d0p\/app was in an OOM-kill cycle \(\d+ kills\) until the limit was raised from 512Mi to 640Mi at .* UTC; no OOM kill since$/,
    );
  });

  it("an alert rule firing on this data reaches Alertmanager's webhook receiver", async () => {
    const deadline = Date.now() + 45_000;
    let alert: { labels: Record<string, string>; status: string } | undefined;
    while (!alert && Date.now() < deadline) {
      for (const line of readFileSync(env.alertsFile, "utf8").split("\n").filter(Boolean)) {
        const payload = JSON.parse(line) as {
          version: string;
          alerts: { labels: Record<string, string>; status: string }[];
        };
        expect(payload.version).toBe("4");
        alert ??= payload.alerts.find(
          (a) => a.labels["alertname"] === "ContainerHighMemory" && a.labels["pod"]?.startsWith("limit-too-low-"),
        );
      }
      if (!alert) await new Promise((r) => setTimeout(r, 500));
    }
    expect(alert).toMatchObject({
      status: "firing",
      labels: { namespace: "scenarios", container: "app", severity: "warning" },
    });
  });
});
