import { afterEach, describe, expect, it } from "vitest";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { goHeapProfile } from "../support/heap-profiles.ts";
import { messageText } from "../support/message-text.ts";
import { BOB, buttons, clickButton } from "../support/remediation-fixtures.ts";
import { parsePolicy } from "../../src/core/remediation/policy.ts";
import { NOW } from "../support/fixtures.ts";
import { watchCluster, watchMetrics } from "../support/watch-fleet.ts";

const MI = 2 ** 20;
const POD = "checkout-5d6e7f8a9b-c1k2o";
const LEAK = "main.(*sessionCache).retain";

describe("/mem profile (Bolt over HTTP, emulator, fake cluster's pod proxy)", () => {
  const running: Harness[] = [];
  afterEach(async () => {
    for (const h of running.splice(0)) await h.stop();
  });

  async function start(extra: Partial<Parameters<typeof startHarness>[0]> = {}) {
    const cluster = watchCluster();
    let taken = 0;
    // each fetch sees 8Mi more retained by the leaking function, the rest unchanged
    cluster.data.proxy[`shop/${POD}:6060/debug/pprof/heap`] = () => {
      taken++;
      return goHeapProfile(
        [
          { stack: [LEAK, "main.main.func1", "net/http.(*conn).serve"], bytes: taken * 8 * MI },
          { stack: ["bufio.NewReaderSize", "net/http.(*conn).serve"], bytes: MI },
        ],
        NOW + taken * 60,
      );
    };
    const slept: number[] = [];
    const metrics = watchMetrics();
    // cart exports Go runtime metrics but serves no pprof where it is asked
    metrics.ranged = (q) =>
      q.includes("go_memstats_heap_inuse_bytes")
        ? [
            ["go_memstats_heap_inuse_bytes", 200 * MI],
            ["go_memstats_stack_inuse_bytes", 4 * MI],
          ].map(([metric, v]) => ({
            labels: { __name__: String(metric), namespace: "shop", pod: "cart-4c5d6e7f8a-c4r7t" },
            points: [{ t: NOW - 60, v: Number(v) }],
          }))
        : [];
    let release: () => void = () => undefined;
    const gate = { hold: false };
    const h = await startHarness({
      cluster,
      metrics,
      clock: { now: () => NOW },
      users: [{ id: ALICE, name: "alice" }],
      ...extra,
      sleep: async (ms) => {
        slept.push(ms);
        if (gate.hold) await new Promise<void>((r) => (release = r));
      },
    });
    running.push(h);
    return { h, cluster, metrics, slept, gate, release: () => release() };
  }

  /**
   * `--compare 1m` asked of one memops that stops while it waits for the second profile (its emulator
   * and store stay), then the next memops starting `laterBy` seconds after the first profile.
   */
  async function restartedDuringWait(laterBy: number) {
    const one = await start();
    one.gate.hold = true;
    const ws = one.h.emulator.workspace;
    await one.h.slack.slash({ user: ALICE, channel: CHANNEL, text: "profile deploy/checkout -n shop --compare 1m" });
    const parent = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Heap profile of")),
    );
    for (let i = 0; i < 100 && !one.slept.includes(60_000); i++) await new Promise((r) => setTimeout(r, 20));
    await one.h.app.stop();
    running.splice(running.indexOf(one.h), 1, {
      ...one.h,
      stop: async () => {
        await one.h.emulator.stop();
        await one.h.store.close();
      },
    });
    const two = await startHarness({
      cluster: one.cluster,
      metrics: one.metrics,
      clock: { now: () => NOW + laterBy },
      users: [{ id: ALICE, name: "alice" }],
      emulator: one.h.emulator,
      store: one.h.store,
    });
    running.unshift(two);
    return { one, two, ws, parent };
  }

  it("--compare: two profiles a minute apart, the leaking function named as where the memory goes, both attached, audited", async () => {
    const { h, slept } = await start();
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "profile deploy/checkout -n shop --compare 1m" });
    const parent = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Heap profile of")),
    );
    const growth = await ws.waitFor(() =>
      ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("Heap growth of")),
    );
    const thread = ws.thread(CHANNEL, parent.ts).map(messageText).join("\n");
    expect(thread).toContain(`pod \`${POD}:6060/debug/pprof/heap\` (its only pod): *9Mi* in use (inuse_space)`);
    expect(thread).toMatch(new RegExp(`8Mi\\s+88\\.9%\\s+8Mi\\s+88\\.9%\\s+main\\.\\(\\*sessionCache\\)\\.retain`));
    expect(messageText(growth)).toContain(
      `The heap grew by 8Mi in 1m, 100% of it in ${LEAK} (8Mi → 16Mi): that is where the memory goes.`,
    );
    expect(messageText(growth)).toMatch(/\+8Mi\s+8Mi\s+16Mi\s+main\.\(\*sessionCache\)\.retain/);
    expect(slept).toEqual([60_000]);
    await ws.waitFor(() => [...ws.files.values()].find((f) => f.name === `heap-${POD}-2.pb.gz`));
    const files = [...ws.files.values()].filter((f) => f.name.startsWith("heap-"));
    expect(files.map((f) => f.name)).toEqual([`heap-${POD}-1.pb.gz`, `heap-${POD}-2.pb.gz`]);
    const audit = await h.store.auditEntries({ since: NOW - 60 });
    expect(audit.filter((e) => e.kind === "profile").map((e) => e.what)).toEqual([
      `heap profile of ${POD}:6060/debug/pprof/heap`,
      `second heap profile of ${POD}:6060/debug/pprof/heap`,
    ]);
  });

  it("--compare survives a restart: memops stopped during the wait, the next start takes the second profile and posts the growth, once", async () => {
    const { one, two, ws, parent } = await restartedDuringWait(120);
    expect(one.slept).toEqual([60_000]);
    const growth = await ws.waitFor(() =>
      ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("Heap growth of")),
    );
    expect(messageText(growth)).toContain(
      `The heap grew by 8Mi in 1m, 100% of it in ${LEAK} (8Mi → 16Mi): that is where the memory goes.`,
    );
    await ws.waitFor(() => [...ws.files.values()].find((f) => f.name === `heap-${POD}-2.pb.gz`));
    // the stopped process's wait ends after all, and a later pass looks again: neither posts it twice
    one.release();
    expect(await two.app.secondProfiles()).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(ws.thread(CHANNEL, parent.ts).filter((m) => m.text.startsWith("Heap growth of"))).toHaveLength(1);
    const audit = await two.store.auditEntries({ since: NOW - 60 });
    expect(audit.filter((e) => e.kind === "profile").map((e) => e.what)).toEqual([
      `heap profile of ${POD}:6060/debug/pprof/heap`,
      `second heap profile of ${POD}:6060/debug/pprof/heap`,
    ]);
  });

  it("--compare whose memops was down for hours: the next start says so in the thread instead of comparing unlike with unlike", async () => {
    const { two, ws, parent } = await restartedDuringWait(3 * 3600);
    const said = await ws.waitFor(() =>
      ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("The second profile of")),
    );
    expect(said.text).toBe(
      `The second profile of ${POD} could not be taken: it was due 2h 59m ago, while memops was not running, and a profile taken now would not show the growth over 1m; ask again with --compare`,
    );
    expect(ws.thread(CHANNEL, parent.ts).some((m) => m.text.startsWith("Heap growth of"))).toBe(false);
    expect(await two.app.secondProfiles()).toBe(0);
    const audit = await two.store.auditEntries({ since: NOW - 60 });
    expect(audit.filter((e) => e.kind === "profile").map((e) => e.outcome)).toEqual([
      expect.stringMatching(/^ok: /),
      expect.stringMatching(/^failed: it was due 2h 59m ago/),
    ]);
  });

  it("a leak verdict offers Capture heap profile: two profiles five minutes apart in the incident's thread; a plateau's does not", async () => {
    const { h, slept } = await start();
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/checkout -n shop" });
    const parent = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => buttons(m).some((b) => b.text.text === "Capture heap profile")),
    );
    await clickButton(h, parent, "Capture heap profile");
    const growth = await ws.waitFor(() =>
      ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("Heap growth of")),
    );
    expect(messageText(growth)).toContain(`100% of it in ${LEAK}`);
    expect(slept).toContain(300_000);
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/cart -n shop" });
    const cart = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("deploy/cart") && buttons(m).length > 0),
    );
    expect(buttons(cart).map((b) => b.text.text)).not.toContain("Capture heap profile");
  });

  it("the button checks, like the command, that the person clicking may look at the namespace", async () => {
    const p = parsePolicy({
      rules: [{ namespaces: ["shop"], actions: ["restart"], request: ["*"], approve: ["S0SRE"] }],
      identities: { [BOB]: { user: "bob@example.com" } },
      diagnoseAccess: "subject-access-review",
    });
    if (!p.ok) throw new Error(p.error.join("; "));
    const { h, cluster } = await start({ policy: p.value, users: [ALICE, BOB].map((id) => ({ id, name: id })) });
    cluster.data.logReaders.push("bob@example.com");
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: BOB, channel: CHANNEL, text: "diagnose deploy/checkout -n shop" });
    const parent = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => buttons(m).some((b) => b.text.text === "Capture heap profile")),
    );
    await clickButton(h, parent, "Capture heap profile", ALICE);
    await ws.waitFor(() =>
      ws.ephemeralFor(ALICE).find((m) => m.text.includes("no Kubernetes identity is mapped to you")),
    );
    expect(cluster.calls.filter((c) => c.method === "podProxyGet")).toEqual([]);
  });

  it("not a Go service (nothing on the port): says so plainly, posts nothing, and the attempt is audited", async () => {
    const { h } = await start();
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "profile deploy/cart -n shop --port 9090" });
    const said = await ws.waitFor(() => ws.ephemeralFor(ALICE).find((m) => m.text.includes("nothing answered")));
    expect(said.text).toContain(
      "nothing answered on port 9090 of cart-4c5d6e7f8a-c4r7t (the pod proxy could not connect). Is cart-4c5d6e7f8a-c4r7t a Go service serving net/http/pprof on port 9090 (/debug/pprof/heap)?",
    );
    // and falls back to what the pod's runtime metrics say
    expect(said.text).toContain("What its runtime metrics say instead:\ncart-4c5d6e7f8a-c4r7t (Go): working set ");
    expect(said.text).toContain("heap in use 200Mi");
    expect(ws.channelMessages(CHANNEL)).toEqual([]);
    const audit = await h.store.auditEntries({ since: NOW - 60 });
    expect(audit.find((e) => e.kind === "profile")?.outcome).toMatch(/^failed: nothing answered on port 9090/);
  });

  it("one profile at a time per workload: a second request while the first waits is refused, and the next after it runs", async () => {
    const { h, cluster, gate, release } = await start();
    const ws = h.emulator.workspace;
    gate.hold = true;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "profile deploy/checkout -n shop --compare 1m" });
    await ws.waitFor(() => ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Heap profile of")));
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "profile deploy/checkout -n shop" });
    await ws.waitFor(() =>
      ws
        .ephemeralFor(ALICE)
        .find((m) => m.text.includes("a heap profile of deployment/checkout -n shop is being taken already")),
    );
    gate.hold = false;
    release();
    await ws.waitFor(() => [...ws.files.values()].find((f) => f.name === `heap-${POD}-2.pb.gz`));
    const before = cluster.calls.filter((c) => c.method === "podProxyGet").length;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "profile deploy/checkout -n shop" });
    await ws.waitFor(() =>
      cluster.calls.filter((c) => c.method === "podProxyGet").length > before ? true : undefined,
    );
  });

  it("of several pods, the fastest-growing one is profiled (the leak), and the thread says why", async () => {
    const { h, cluster, metrics } = await start();
    const first = cluster.data.pods.find((p) => p.name === POD)!;
    const second = { ...first, name: "checkout-5d6e7f8a9b-z9y8x" };
    cluster.data.pods.push(second);
    cluster.data.proxy[`shop/${second.name}:6060/debug/pprof/heap`] = goHeapProfile(
      [{ stack: [LEAK, "main.main.func1"], bytes: 40 * MI }],
      NOW,
    );
    metrics.instant = (q) =>
      q.startsWith("max by (pod) (deriv(")
        ? [
            { labels: { pod: POD }, value: 100 },
            { labels: { pod: second.name }, value: (30 * MI) / 3600 },
          ]
        : [];
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "profile deploy/checkout -n shop" });
    const parent = await ws.waitFor(() =>
      ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Heap profile of")),
    );
    const top = await ws.waitFor(() => ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("Heap profile of")));
    expect(messageText(top)).toContain(
      `pod \`${second.name}:6060/debug/pprof/heap\` (the fastest-growing of its pods, +30Mi/h over the last hour): *40Mi* in use`,
    );
  });

  it("refuses bad arguments before touching anything", async () => {
    const { h, cluster } = await start();
    const ws = h.emulator.workspace;
    for (const [text, says] of [
      ["profile ns/shop", "a heap profile is of one pod"],
      ["profile deploy/checkout -n shop --port 70000", '--port: "70000" is not a port'],
      ["profile deploy/checkout -n shop --path ../../etc", "--path: "],
      ["profile deploy/checkout -n shop --compare 2h", "--compare must be between 10s and 1h"],
    ] as const) {
      await h.slack.slash({ user: ALICE, channel: CHANNEL, text });
      await ws.waitFor(() => ws.ephemeralFor(ALICE).find((m) => m.text.includes(says)));
    }
    expect(cluster.calls.filter((c) => c.method === "podProxyGet")).toEqual([]);
  });
});
