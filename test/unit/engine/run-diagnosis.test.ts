import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { MiB } from "../../../src/core/quantity.ts";
import { parseRunbook, type Runbook } from "../../../src/core/runbook.ts";
import { pickRunbook } from "../../../src/engine/pick-runbook.ts";
import { diagnose, RESOLVE_TIMEOUT_MS } from "../../../src/engine/run-diagnosis.ts";
import { shippedRunbooks } from "../../support/app-harness.ts";
import { pod } from "../../support/fixtures.ts";
import { NOW, SHOP, shopCluster, shopMetrics } from "../../support/shop-scenario.ts";

const log = pino({ level: "silent" });
const clock = { now: () => NOW };
const runbook = (doc: unknown): Runbook => {
  const r = parseRunbook(doc);
  if (!r.ok) throw new Error(r.error.join("; "));
  return r.value;
};

describe("diagnose", () => {
  it("a step that hangs times out on its own; the others still report", async () => {
    const rb = runbook({
      id: "t",
      title: "T",
      match: { targets: ["deployment"] },
      steps: [{ kind: "node-pressure", timeout: "1s" }, { kind: "oom-history" }, { kind: "next-steps" }],
    });
    const started = Date.now();
    const r = await diagnose(
      { cluster: shopCluster({ hang: ["getNode"] }), metrics: shopMetrics(), clock, log },
      [rb],
      { target: { kind: "deployment", name: "api", namespace: "shop" }, windowSeconds: 6 * 3600 },
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.ok && r.value.sections.map((s) => [s.kind, s.status, s.note])).toEqual([
      ["node-pressure", "unavailable", "timed out after 1s"],
      ["oom-history", "ok", undefined],
    ]);
    expect(r.ok && r.value.nextSteps.length).toBeGreaterThan(0);
  });

  it("reports progress for every step, in order of completion", async () => {
    const events: string[] = [];
    await diagnose(
      { cluster: shopCluster(), metrics: shopMetrics(), clock, log },
      await shippedRunbooks(),
      {
        target: { kind: "deployment", name: "api", namespace: "shop" },
        windowSeconds: 6 * 3600,
        runbookId: "high-memory",
      },
      (p) => events.push(p.phase === "started" ? `started ${p.runbook.id} ${p.total}` : `${p.done}/${p.total}`),
    );
    expect(events).toEqual(["started high-memory 6", "1/6", "2/6", "3/6", "4/6", "5/6", "6/6"]);
  });

  it("a hung API server during target lookup ends the diagnosis with a clear error, not silence", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const pending = diagnose(
        { cluster: shopCluster({ hang: ["getWorkload"] }), metrics: null, clock, log },
        await shippedRunbooks(),
        { target: { kind: "deployment", name: "api", namespace: "shop" }, windowSeconds: 3600 },
      );
      await vi.advanceTimersByTimeAsync(RESOLVE_TIMEOUT_MS);
      expect(await pending).toEqual({
        ok: false,
        error: "the Kubernetes API did not answer within 15s while looking up the target",
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts the objects an operator manages and warns above the runbook's threshold", async () => {
    const cluster = shopCluster({
      objects: { "serving.knative.dev/v1/Service/*": 7200, "serving.knative.dev/v1/Revision/*": 300 },
    });
    const r = await diagnose({ cluster, metrics: shopMetrics(), clock, log }, await shippedRunbooks(), {
      target: { kind: "deployment", name: "api", namespace: "shop" },
      windowSeconds: 6 * 3600,
      runbookId: "operator-memory",
    });
    const counts = r.ok ? r.value.sections.find((s) => s.kind === "count-resources") : undefined;
    expect(counts?.data).toEqual({
      counts: [
        {
          apiVersion: "serving.knative.dev/v1",
          kind: "Service",
          namespace: null,
          count: 7200,
          estimated: true,
          warnAbove: 5000,
        },
        {
          apiVersion: "serving.knative.dev/v1",
          kind: "Revision",
          namespace: null,
          count: 300,
          estimated: false,
          warnAbove: 5000,
        },
      ],
    });
    expect(r.ok && r.value.verdict.points).toContain(
      "about 7200 Service objects in the cluster (above 5000): an operator's memory grows with what it watches",
    );
  });

  it("with Prometheus down, current usage comes from metrics.k8s.io and the report says so", async () => {
    const metrics = shopMetrics();
    metrics.down = true;
    const cluster = shopCluster({ usage: { [`shop/${SHOP.leaking}/api`]: 480 * MiB } });
    const r = await diagnose({ cluster, metrics, clock, log }, await shippedRunbooks(), {
      target: { kind: "deployment", name: "api", namespace: "shop" },
      windowSeconds: 3600,
      runbookId: "high-memory",
    });
    const usage = r.ok ? r.value.sections.find((s) => s.kind === "usage-vs-limit")?.data : undefined;
    expect(usage).toMatchObject({
      source: "metrics-api",
      sourceNote: "Prometheus unavailable (cannot reach Prometheus (ECONNREFUSED)); current usage from metrics.k8s.io",
    });
    expect(usage && "rows" in usage ? usage.rows[0] : undefined).toMatchObject({
      pod: SHOP.leaking,
      container: "api",
      usageBytes: 480 * MiB,
      ofLimit: 480 / 512,
    });
  });

  it("an unknown runbook id is refused before any step runs", async () => {
    const r = await diagnose({ cluster: shopCluster(), metrics: null, clock, log }, await shippedRunbooks(), {
      target: { kind: "deployment", name: "api", namespace: "shop" },
      windowSeconds: 3600,
      runbookId: "nope",
    });
    expect(r).toEqual({ ok: false, error: 'no runbook "nope" (available: high-memory, oomkilled, operator-memory)' });
  });

  it("without Prometheus the trend says how to get one", async () => {
    const r = await diagnose({ cluster: shopCluster(), metrics: null, clock, log }, await shippedRunbooks(), {
      target: { kind: "deployment", name: "api", namespace: "shop" },
      windowSeconds: 3600,
    });
    const trend = r.ok ? r.value.sections.find((s) => s.kind === "memory-trend") : undefined;
    expect(trend).toMatchObject({
      status: "unavailable",
      note: "Prometheus is not configured (set PROMETHEUS_URL): no history to read a trend from",
    });
  });
});

describe("pickRunbook", () => {
  it("prefers the runbook whose signals the pods show", async () => {
    const rbs = await shippedRunbooks();
    expect(pickRunbook(rbs, "deployment", [pod({ name: "a" })], undefined)).toMatchObject({
      ok: true,
      value: { id: "high-memory" },
    });
    const killed = pod({
      name: "b",
      statuses: [
        {
          name: "api",
          ready: false,
          restartCount: 2,
          waitingReason: null,
          running: true,
          terminated: null,
          lastTerminated: { reason: "OOMKilled", exitCode: 137, startedAt: 1, finishedAt: 2 },
        },
      ],
    });
    expect(pickRunbook(rbs, "deployment", [killed], undefined)).toMatchObject({ ok: true, value: { id: "oomkilled" } });
    expect(pickRunbook(rbs, "namespace", [killed], undefined)).toMatchObject({
      ok: true,
      value: { id: "high-memory" },
    });
  });
});

describe("a runbook's own log pattern", () => {
  it("runs `^(a+)+$` in linear time: an adversarial log line does not stall the process", async () => {
    const rb = runbook({
      id: "t",
      title: "T",
      match: { targets: ["deployment"] },
      steps: [{ kind: "logs-grep", pattern: "^(a+)+$", timeout: "1s" }],
    });
    const cluster = shopCluster();
    // with JavaScript's backtracking engine each of these lines takes 2^40 steps
    const evil = `${"a".repeat(40)}!`;
    cluster.data.logs[`shop/${SHOP.killed}/api/previous`] = [evil, "a".repeat(12), evil, "aaaa"].join("\n");
    const r = await diagnose({ cluster, metrics: shopMetrics(), clock, log }, [rb], {
      target: { kind: "deployment", name: "api", namespace: "shop" },
      windowSeconds: 6 * 3600,
    });
    const logs = r.ok ? r.value.sections.find((s) => s.kind === "logs-grep") : undefined;
    expect(logs?.status).toBe("ok");
    expect(JSON.stringify(logs)).toContain(`"lines":["${"a".repeat(12)}","aaaa"]`);
  });

  it("refuses at validation what RE2 cannot run, naming the step", () => {
    for (const pattern of ["(a)\\1", "foo(?=bar)", "(?<!x)y"]) {
      const r = parseRunbook({
        id: "t",
        title: "T",
        match: { targets: ["deployment"] },
        steps: [{ kind: "logs-grep", pattern }],
      });
      expect(r).toMatchObject({
        ok: false,
        error: [expect.stringMatching(/^steps\.0\.pattern: not a pattern memops can run in linear time/)],
      });
    }
  });
});
