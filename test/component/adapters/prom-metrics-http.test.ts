/** PromMetrics against a local HTTP server speaking Prometheus's HTTP API: parsing and every failure, without Prometheus. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PromMetrics } from "../../../src/prometheus/prom-metrics.ts";
import { FakeHttp, json } from "../../support/fake-http.ts";

const T = 1_790_000_000;
const query = { namespace: "shop", podPattern: "api-.*", start: T - 600, end: T, stepSeconds: 300 };
const series = (metric: string, pod: string, values: [number, string][]) => ({
  metric: { metric, pod, container: "api" },
  values,
});

describe("PromMetrics over HTTP", () => {
  let http: FakeHttp;
  let url: string;
  beforeEach(async () => {
    http = new FakeHttp();
    url = await http.start();
  });
  afterEach(() => http.stop());

  it("one range query for the working set, rss, restarts and limit; NaN and unlabelled series dropped", async () => {
    http.answer = (_req, res) =>
      json(res, 200, {
        status: "success",
        data: {
          resultType: "matrix",
          result: [
            series("working_set", "api-1", [
              [T - 300, "100"],
              [T, "NaN"],
            ]),
            series("limit", "api-1", [
              [T - 300, "512"],
              [T, "512"],
            ]),
            series("restarts", "api-1", [[T, "3"]]),
            { metric: { metric: "working_set" }, values: [[T, "1"]] },
          ],
        },
      });
    const [c, ...rest] = await new PromMetrics(`${url}/prom/`, 2000).containerMemory(query);
    expect(rest).toEqual([]);
    expect(c).toEqual({
      pod: "api-1",
      container: "api",
      workingSet: [{ t: T - 300, v: 100 }],
      rss: [],
      restarts: [{ t: T, v: 3 }],
      limit: [
        { t: T - 300, v: 512 },
        { t: T, v: 512 },
      ],
    });
    const [req] = http.seen;
    // behind a path prefix, as Prometheus often is (an ingress, a Thanos querier)
    expect(req?.url.pathname).toBe("/prom/api/v1/query_range");
    const form = new URLSearchParams(req?.body);
    expect(form.get("step")).toBe("300");
    const promql = form.get("query") ?? "";
    for (const m of [
      "container_memory_working_set_bytes",
      "container_memory_rss",
      "kube_pod_container_status_restarts_total",
      'kube_pod_container_resource_limits{namespace="shop",pod=~"api-.*",container!="",resource="memory"}',
    ])
      expect(promql).toContain(m);
  });

  it("a rejected query is 'invalid' with Prometheus's reason; a 503 is 'unavailable'; silence is a timeout", async () => {
    http.answer = (_req, res) =>
      json(res, 400, { status: "error", errorType: "bad_data", error: "parse error at char 5" });
    await expect(new PromMetrics(url, 2000).evaluate("sum(", T)).rejects.toMatchObject({
      code: "invalid",
      message: "Prometheus rejected the query: parse error at char 5",
    });
    http.answer = (_req, res) => json(res, 503, { status: "error", errorType: "unavailable", error: "TSDB not ready" });
    await expect(new PromMetrics(url, 2000).containerMemory(query)).rejects.toMatchObject({ code: "unavailable" });
    http.answer = () => undefined; // never answers
    await expect(new PromMetrics(url, 300).containerMemory(query)).rejects.toMatchObject({
      code: "timeout",
      message: "Prometheus did not answer in time",
    });
  });

  it("nothing listening is 'unavailable', naming the cause", async () => {
    await http.stop();
    await expect(new PromMetrics(url, 2000).evaluate("up", T)).rejects.toMatchObject({
      code: "unavailable",
      message: "cannot reach Prometheus (ECONNREFUSED)",
    });
  });
});
