import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateBlocks } from "../../src/slack/emulator/block-kit.ts";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { FakeMetrics } from "../support/fake-metrics.ts";
import { series } from "../support/fixtures.ts";
import { NOW, SHOP, shopCluster, shopMetrics, shopSeries } from "../support/shop-scenario.ts";

describe("/mem diagnose over HTTP, against the Slack emulator", () => {
  let h: Harness;
  let metrics: ReturnType<typeof shopMetrics>;
  beforeEach(async () => {
    metrics = shopMetrics();
    h = await startHarness({ cluster: shopCluster(), metrics, clock: { now: () => NOW } });
  });
  afterEach(async () => h.stop());

  async function diagnose(text: string) {
    const res = await h.slack.slash({ user: ALICE, channel: CHANNEL, text });
    const ws = h.emulator.workspace;
    const parent = await ws.waitFor(() =>
      ws
        .channelMessages(CHANNEL)
        .find((m) => m.blocks.length > 0 && messageText(m).includes("Full report in the thread")),
    );
    return { res, parent, thread: ws.thread(CHANNEL, parent.ts) };
  }

  it("acknowledges at once, then posts a parent message and a threaded report whose numbers match the cluster", async () => {
    const { res, parent, thread } = await diagnose("diagnose deploy/api -n shop");
    expect(res.status).toBe(200);
    expect(res.millis).toBeLessThan(3000);

    const parentText = messageText(parent);
    expect(parentText).toContain("deploy/api -n shop");
    expect(parentText).toContain(
      `${SHOP.killed}/api was OOMKilled at 2026-09-21 14:01 UTC (4 restarts, CrashLoopBackOff)`,
    );
    expect(parentText).toMatch(/\*Pods:\* 3/);
    expect(parent.edited).toBe(true);

    const report = thread.map(messageText).join("\n");
    // usage vs limit from the last working-set sample: 470Mi of 512Mi
    expect(report).toMatch(new RegExp(`${SHOP.leaking}/api\\s+4\\d\\dMi\\s+256Mi\\s+512Mi\\s+9\\d%`));
    // the killed container's restart count and reason; the rollout termination is not called an OOM kill
    expect(report).toMatch(new RegExp(`${SHOP.killed}/api\\s+4\\s+OOMKilled\\s+137\\s+12m ago\\s+CrashLoopBackOff`));
    expect(report).toMatch(new RegExp(`${SHOP.healthy}/api\\s+1\\s+Error\\s+143`));
    expect(report).toContain("1 OOM-killed");
    // the canary pod shares the labels but belongs to another Deployment
    expect(report).not.toContain("api-canary");
    // logs of the container that was killed, previous instance, secrets redacted
    expect(report).toContain("java.lang.OutOfMemoryError: Java heap space");
    expect(report).not.toContain("hunter2");
    expect(report).not.toContain("envoy: all good");
    // node pressure and the node OOM event
    expect(report).toMatch(/node-a\s+YES\s+8Gi/);
    expect(report).toContain("OOMKilling");
    // trend: the leaking replica is called a leak, with a forecast
    expect(report).toMatch(new RegExp(`${SHOP.leaking}/api\\* \`[▁▂▃▄▅▆▇█ ]+\` \\*leak\\*`));
    expect(report).toMatch(/limit in ~\d+(h|m)/);
    expect(report).toContain("Next steps");
    for (const m of thread) expect(validateBlocks(m.blocks)).toBeNull();
    for (const m of [parent, ...thread].filter((x) => x.files.length === 0)) expect(m.text.length).toBeGreaterThan(0);
  });

  it("uploads a PNG chart of the workload into the thread, after the report, with alt text that says what it shows", async () => {
    const { thread } = await diagnose("diagnose deploy/api -n shop");
    const withFiles = thread.filter((m) => m.files.length > 0);
    expect(withFiles).toHaveLength(1);
    const [chart] = withFiles[0]?.files ?? [];
    const at = thread.findIndex((m) => m.files.length > 0);
    expect(thread.slice(0, at).map(messageText).join("\n")).toContain("Trend and forecast");
    expect(chart?.title).toBe("Memory working set — deploy/api -n shop");
    expect(chart?.mimetype).toBe("image/png");
    const png = chart?.bytes ?? Buffer.alloc(0);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(1000); // IHDR width
    expect(png.readUInt32BE(20)).toBeGreaterThan(400);
    // the alt text carries the verdicts the picture shows: the leak with its forecast, the OOM kill
    expect(chart?.altText).toMatch(new RegExp(`${SHOP.leaking}/api: leak, limit in ~\\d+(h|m)`));
    expect(chart?.altText).toMatch(new RegExp(`${SHOP.killed}/api: oom-cycle[^.]*; [4-5] OOM kills marked`));
    expect(chart?.altText?.length).toBeLessThanOrEqual(1000);
    // the sparkline stays in the text
    expect(thread.map(messageText).join("\n")).toMatch(/`[▁▂▃▄▅▆▇█ ]+`/);
  });

  it("charts a namespace one workload at a time, the most urgent first", async () => {
    await h.stop();
    const canary = {
      namespace: "shop",
      pod: "api-canary-5f6b7c8d9e-aaaaa",
      container: "api",
      workingSet: series(6 * 3600, 60, () => 220 * 2 ** 20, 3 * 2 ** 20, 9),
    };
    h = await startHarness({
      cluster: shopCluster(),
      metrics: new FakeMetrics([...shopSeries(), canary]),
      clock: { now: () => NOW },
    });
    const { thread } = await diagnose("diagnose ns/shop");
    const charts = thread.flatMap((m) => m.files);
    expect(charts.map((f) => f.title)).toEqual([
      "Memory working set — deploy/api -n shop",
      "Memory working set — deploy/api-canary -n shop",
    ]);
    expect(charts[1]?.altText).toContain("api-canary-5f6b7c8d9e-aaaaa/api: stable");
    expect(charts[0]?.altText).not.toContain("canary");
  });

  it("still posts the whole report when the workspace refuses file uploads, and says the chart is missing", async () => {
    h.emulator.workspace.fileUploadsDisabled = true;
    const { parent, thread } = await diagnose("diagnose deploy/api -n shop");
    expect(thread.some((m) => m.files.length > 0)).toBe(false);
    const report = thread.map(messageText).join("\n");
    expect(report).toContain("Trend and forecast");
    expect(report).toContain(
      "The memory chart of deploy/api -n shop could not be posted: Slack rejected files.getUploadURLExternal: file_uploads_disabled",
    );
    expect(messageText(parent)).toContain("Full report in the thread");
  });

  it("queries Prometheus once for all containers of the workload, by pod-name pattern", async () => {
    await diagnose("diagnose deploy/api -n shop");
    expect(metrics.queries).toHaveLength(1);
    expect(metrics.queries[0]).toMatchObject({ namespace: "shop", podPattern: "api-[a-z0-9]{1,10}-[a-z0-9]{5}" });
  });

  it("still posts the report when Prometheus is down, and says why the trend is missing", async () => {
    metrics.down = true;
    const { parent, thread } = await diagnose("diagnose deploy/api -n shop");
    const report = thread.map(messageText).join("\n");
    expect(report).toContain("Trend and forecast* — :warning: unavailable: cannot reach Prometheus (ECONNREFUSED)");
    expect(report).toContain(
      "Prometheus unavailable (cannot reach Prometheus (ECONNREFUSED)), and the cluster does not serve metrics.k8s.io",
    );
    expect(report).toMatch(new RegExp(`${SHOP.killed}/api\\s+4\\s+OOMKilled`));
    expect(messageText(parent)).toContain("unavailable: Trend and forecast");
  });
});

describe("one incident thread per workload", () => {
  it("a second diagnosis of the same workload, even through one of its pods, goes into the open thread", async () => {
    const h = await startHarness({ cluster: shopCluster(), metrics: shopMetrics(), clock: { now: () => NOW } });
    try {
      const ws = h.emulator.workspace;
      const verdicts = () =>
        ws.channelMessages(CHANNEL).filter((m) => messageText(m).includes("Full report in the thread"));
      await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
      const parent = await ws.waitFor(() => verdicts()[0]);
      const firstReplies = ws.thread(CHANNEL, parent.ts).length;
      await h.slack.slash({ user: "U0BOB", channel: CHANNEL, text: `diagnose pod/${SHOP.killed} -n shop` });
      await ws.waitFor(
        () =>
          ws.thread(CHANNEL, parent.ts).length > firstReplies + 1 &&
          messageText(ws.message(CHANNEL, parent.ts)!).includes("requested by <@U0BOB>"),
      );
      expect(ws.channelMessages(CHANNEL)).toHaveLength(1);
      const replies = ws.thread(CHANNEL, parent.ts).map(messageText);
      expect(replies[firstReplies]).toContain(`New diagnosis of *pod/${SHOP.killed} -n shop*, requested by <@U0BOB>`);
      expect(replies.slice(firstReplies + 1).join("\n")).toContain(`Memory report: pod/${SHOP.killed} -n shop`);
      expect(await h.store.openIncident({ kind: "deployment", name: "api", namespace: "shop" }, CHANNEL)).toMatchObject(
        {
          threadTs: parent.ts,
          status: "open",
        },
      );
    } finally {
      await h.stop();
    }
  });
});
