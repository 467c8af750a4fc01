/**
 * Where the memory goes, on the real API server and Prometheus (issue 16): the tier's Go service
 * (test/fixtures/leaky-go, started by the global setup and scraped every second by the real Prometheus)
 * serves net/http/pprof and leaks 256 KiB per "connection" in a function with a known name; it is
 * registered as a pod whose status.podIP is this machine's address (the proxy refuses loopback: pod IPs
 * must be global unicast), so GET …/pods/NAME:PORT/proxy/debug/pprof/heap reaches it.
 */
import { networkInterfaces } from "node:os";
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import { ALICE, CHANNEL, type Harness, shippedRunbooks, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";

const env = inject("integration");
const LEAK = "main.(*sessionCache).retain";

/** This machine's first non-loopback IPv4 address: what the pod proxy may dial. */
function hostAddress(): string {
  const ip = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
  if (!ip) throw new Error("no non-loopback IPv4 address on this machine: the API server's pod proxy refuses loopback");
  return ip;
}

describe.skipIf(!!env.skipped)("/mem profile through the real API server's pod proxy", () => {
  let h: Harness;
  const port = env.leaky.port;
  const open = (n: number) => fetch(`http://127.0.0.1:${port}/open?n=${n}`, { method: "POST" }).then((r) => r.text());
  /** how many connections the service holds now */
  let held = 0;

  beforeAll(async () => {
    held = Number(await open(1));
    const kc = new KubeConfig();
    kc.loadFromFile(env.kubeconfig.admin);
    const core = kc.makeApiClient(CoreV1Api);
    for (const [namespace, name] of [
      ["profiling", "sessions-0"],
      ["unbound", "sessions-0"],
    ] as const) {
      if (namespace === "unbound") await core.createNamespace({ body: { metadata: { name: namespace } } });
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name, labels: { app: "sessions" } },
          spec: {
            nodeName: "node-b",
            containers: [{ name: "app", image: "leaky-go", ports: [{ containerPort: port }] }],
          },
        },
      });
      await core.patchNamespacedPodStatus(
        {
          namespace,
          name,
          body: { status: { phase: "Running", podIP: hostAddress(), podIPs: [{ ip: hostAddress() }] } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    }
    // the operator runbook as shipped, its heap profile pointed at the service's port
    const runbooks = (await shippedRunbooks()).map((r) =>
      r.id === "operator-memory"
        ? { ...r, steps: r.steps.map((st) => (st.kind === "heap-profile" ? { ...st, port } : st)) }
        : r,
    );
    h = await startHarness({
      runbooks,
      cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
      metrics: new PromMetrics(env.prometheusUrl, 10_000),
      clock: { now: () => Date.now() / 1000 },
      users: [{ id: ALICE, name: "alice" }],
      // the compare interval: the service opens 40 more connections (10 MiB) while memops waits
      sleep: async () => {
        await open(40);
      },
    });
  });
  afterAll(async () => h?.stop());

  it("two profiles through the proxy: the leaking function grows by what the connections retained, and is named", async () => {
    held = Number(await open(20 - held));
    const ws = h.emulator.workspace;
    await h.slack.slash({
      user: ALICE,
      channel: CHANNEL,
      text: `profile pod/sessions-0 -n profiling --port ${port} --compare 10s`,
    });
    const parent = await ws.waitFor(
      () => ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Heap profile of pod/sessions-0")),
      20_000,
    );
    const growth = await ws.waitFor(
      () => ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("Heap growth of sessions-0")),
      20_000,
    );
    const first = messageText(
      ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("Heap profile of sessions-0"))!,
    );
    // 20 connections × 256 KiB retained, every allocation sampled (MemProfileRate = 1)
    expect(first).toMatch(/5Mi\s+\d+\.\d%\s+5Mi\s+\d+\.\d%\s+main\.\(\*sessionCache\)\.retain/);
    const text = messageText(growth);
    expect(text).toMatch(
      new RegExp(
        `The heap grew by 10(\\.\\d)?Mi in \\d+s, (9\\d|100)% of it in ${LEAK.replace(/[()*.]/g, "\\$&")} \\(5Mi → 15Mi\\)`,
      ),
    );
    expect(text).toMatch(/\+10Mi\s+5Mi\s+15Mi\s+main\.\(\*sessionCache\)\.retain/);
    await ws.waitFor(() => [...ws.files.values()].find((f) => f.name === "heap-sessions-0-2.pb.gz"));
  });

  it("on the real Prometheus's live scrape: the runtime splits the Go working set, and the connection gauge is what grows with memory", async () => {
    // connections opened in irregular bursts for ~36 s, scraped every second
    let seed = 7;
    for (let i = 0; i < 60; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const n = seed % 7;
      if (n > 0) held = Number(await open(n));
      await new Promise((r) => setTimeout(r, 600));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const ws = h.emulator.workspace;
    await h.slack.slash({
      user: ALICE,
      channel: CHANNEL,
      text: "diagnose pod/sessions-0 -n profiling --runbook operator-memory --since 10m",
    });
    const parent = await ws.waitFor(
      () => ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report in the thread")),
      30_000,
    );
    const report = ws.thread(CHANNEL, parent.ts).map(messageText).join("\n");
    expect(report).toMatch(
      /\*Runtime memory\*\nsessions-0 \(Go\): working set \d+(\.\d)?Mi = heap in use \d+(\.\d)?Mi \(\d+%\) \+ goroutine stacks \d+(\.\d)?Ki \(\d+%\) \+ other \(runtime overhead, native\)/,
    );
    expect(report).toContain("goroutines, not growing with memory");
    // the runbook's heap profile, through the proxy: the leaking function on top
    expect(report).toMatch(
      /\*Heap profile\*\n```sessions-0:\d+\/debug\/pprof\/heap: \d+(\.\d)?Mi in use; by flat in-use bytes:\n {2}\d+(\.\d)?Mi \(9\d\.\d%\) {2}main\.\(\*sessionCache\)\.retain/,
    );
    // 256 KiB retained per connection: the slope memops reports is near it
    const grows = /memory grows ~(\d+(?:\.\d)?)(Ki|Mi) per sse_connections_active \(r (0\.9\d|1\.00)/.exec(report);
    expect(grows, report.slice(report.indexOf("What grows"), report.indexOf("What grows") + 600)).not.toBeNull();
    const perConnection = Number(grows![1]) * (grows![2] === "Mi" ? 1024 : 1);
    expect(perConnection).toBeGreaterThan(200);
    expect(perConnection).toBeLessThan(400);
    // the clock-like and flat series are not named
    expect(report).not.toMatch(/per (http_requests_in_flight|process_cpu_seconds_total|go_goroutines)/);
  });

  it("where memops has no pods/proxy binding, the API server refuses and memops says which permission is missing", async () => {
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: `profile pod/sessions-0 -n unbound --port ${port}` });
    const said = await ws.waitFor(() => ws.ephemeralFor(ALICE).find((m) => m.text.includes("pods/proxy")), 20_000);
    expect(said.text).toContain("memops is not allowed to read /debug/pprof/heap on port");
    expect(said.text).toContain("heap profiles need `get` on `pods/proxy` in unbound");
  });
});
