import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { NOW, SHOP, shopCluster, shopMetrics } from "../support/shop-scenario.ts";

const TOKEN = "alertmanager-bearer-token-0123456789";

function payload(
  status: "firing" | "resolved",
  alerts: { name: string; labels: Record<string, string>; fingerprint: string }[],
) {
  return {
    version: "4",
    groupKey: '{}:{alertname="KubePodOOMKilled"}',
    status,
    receiver: "memops",
    groupLabels: { alertname: alerts[0]?.name ?? "" },
    commonLabels: {},
    externalURL: "http://alertmanager",
    truncatedAlerts: 0,
    alerts: alerts.map((a) => ({
      status,
      labels: { alertname: a.name, ...a.labels },
      annotations: { summary: "x" },
      startsAt: "2026-09-21T14:00:00Z",
      endsAt: status === "resolved" ? "2026-09-21T14:10:00Z" : "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus/graph",
      fingerprint: a.fingerprint,
    })),
  };
}

describe("Alertmanager webhook → incident threads", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      cluster: shopCluster(),
      metrics: shopMetrics(),
      clock: { now: () => NOW },
      alerts: { token: TOKEN, channel: CHANNEL },
    });
  });
  afterEach(async () => h.stop());

  const send = (body: unknown, token = TOKEN, scheme = "Bearer") =>
    fetch(`http://127.0.0.1:${h.app.port}/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `${scheme} ${token}` },
      body: JSON.stringify(body),
    });
  const ws = () => h.emulator.workspace;
  const killed = {
    name: "KubePodOOMKilled",
    labels: { namespace: "shop", pod: SHOP.killed, container: "api" },
    fingerprint: "f1killed",
  };

  it("a bad token gets 401 and nothing else happens", async () => {
    const res = await send(payload("firing", [killed]), "wrong-token-wrong-token-wrong-token!");
    expect(res.status).toBe(401);
    await h.app.idle();
    expect(ws().messages).toHaveLength(0);
    expect(await h.store.auditEntries()).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${h.app.port}/alertmanager`, { method: "POST", body: "{}" })).status).toBe(
      401,
    );
  });

  it("accepts the bearer scheme in any case (RFC 7235), and nothing but the exact token", async () => {
    for (const scheme of ["bearer", "BEARER", "Bearer"])
      expect({ scheme, status: (await send(payload("resolved", []), TOKEN, scheme)).status }).toEqual({
        scheme,
        status: 200,
      });
    for (const scheme of ["Basic", "Bearer\t", "Bearerx"])
      expect({ scheme, status: (await send(payload("resolved", []), TOKEN, scheme)).status }).toEqual({
        scheme,
        status: 401,
      });
  });

  it("a malformed body is refused with the problem", async () => {
    const res = await send({ version: "3", alerts: "no" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/version/);
  });

  it("a firing alert opens the workload's incident thread with its runbook; a repeat does nothing; resolved is said in the thread", async () => {
    const two = [killed, { ...killed, labels: { ...killed.labels, container: "envoy" }, fingerprint: "f2envoy" }];
    expect((await send(payload("firing", two))).status).toBe(200);
    await h.app.idle();
    const parents = ws().channelMessages(CHANNEL);
    expect(parents).toHaveLength(1); // two alerts on one workload: one diagnosis
    const parent = parents[0]!;
    expect(messageText(parent)).toContain(`${SHOP.killed}/api was OOMKilled at 2026-09-21 14:01 UTC`);
    expect(messageText(parent)).toContain("requested by Alertmanager (KubePodOOMKilled) · runbook `oomkilled`");
    const replies = ws().thread(CHANNEL, parent.ts).length;

    expect((await send(payload("firing", two))).status).toBe(200);
    await h.app.idle();
    expect(ws().channelMessages(CHANNEL)).toHaveLength(1);
    expect(ws().thread(CHANNEL, parent.ts)).toHaveLength(replies);

    expect((await send(payload("resolved", [killed]))).status).toBe(200);
    await h.app.idle();
    expect(messageText(ws().thread(CHANNEL, parent.ts).at(-1)!)).toContain(
      "*KubePodOOMKilled* resolved (firing since 2026-09-21T14:00:00Z)",
    );

    const audit = await h.store.auditEntries();
    expect(audit.filter((e) => e.kind === "alert").map((e) => `${e.what}: ${e.outcome}`)).toEqual([
      "KubePodOOMKilled firing: diagnosing",
      "KubePodOOMKilled firing: diagnosing",
      "KubePodOOMKilled firing: repeat: ignored",
      "KubePodOOMKilled firing: repeat: ignored",
      "KubePodOOMKilled resolved: resolved",
    ]);
  });

  it("a later /mem diagnose of the same workload joins the alert's thread", async () => {
    await send(payload("firing", [killed]));
    await h.app.idle();
    const parent = ws().channelMessages(CHANNEL)[0]!;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    await ws().waitFor(() => messageText(ws().message(CHANNEL, parent.ts)!).includes("requested by <@U0ALICE>"));
    expect(ws().channelMessages(CHANNEL)).toHaveLength(1);
  });

  it("an alert no runbook maps, or without a workload in its labels, is recorded and nothing is posted", async () => {
    await send(
      payload("firing", [
        { name: "DiskFull", labels: { namespace: "shop", pod: SHOP.killed }, fingerprint: "d1" },
        { name: "KubePodOOMKilled", labels: { job: "x" }, fingerprint: "d2" },
      ]),
    );
    await h.app.idle();
    expect(ws().messages).toHaveLength(0);
    expect((await h.store.auditEntries()).map((e) => e.outcome)).toEqual([
      "no runbook maps this alert",
      "no workload in its labels",
    ]);
  });
});

describe("an alert storm", () => {
  let h: Harness;
  afterEach(async () => h.stop());

  it("1,000 alerts in one notification: /healthz and Slack acks answer within 500 ms throughout; every alert recorded once", async () => {
    h = await startHarness({
      cluster: shopCluster(),
      metrics: shopMetrics(),
      clock: { now: () => NOW },
      alerts: { token: TOKEN, channel: CHANNEL },
    });
    const base = `http://127.0.0.1:${h.app.port}`;
    const storm = payload(
      "firing",
      Array.from({ length: 1000 }, (_, i) => ({
        name: i % 2 ? "KubePodOOMKilled" : "SomethingUnmapped",
        labels: { namespace: "shop", pod: [SHOP.killed, SHOP.leaking, SHOP.healthy][i % 3]!, container: "api" },
        fingerprint: `storm-${i}`,
      })),
    );
    const timed = async (f: () => Promise<Response>) => {
      const t = performance.now();
      const r = await f();
      await r.text();
      return { status: r.status, ms: performance.now() - t };
    };
    // a running memops: warm (its first request compiles the paths a storm takes)
    await fetch(`${base}/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(
        payload("resolved", [{ name: "Warmup", labels: { namespace: "shop" }, fingerprint: "warm" }]),
      ),
    });
    await h.app.idle();
    const sent = timed(() =>
      fetch(`${base}/alertmanager`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(storm),
      }),
    );
    const health: { status: number; ms: number }[] = [];
    const acks: number[] = [];
    let done = false;
    const idle = (async () => {
      await sent;
      await h.app.idle();
      done = true;
    })();
    const deadline = performance.now() + 20_000;
    while (!done && performance.now() < deadline) {
      health.push(await timed(() => fetch(`${base}/healthz`)));
      if (health.length % 10 === 0)
        acks.push((await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "help" })).millis);
      await new Promise((r) => setTimeout(r, 5));
    }
    await idle;
    // Slack gives an ack 3 s, Alertmanager a webhook 10 s; 500 ms leaves room for a loaded CI machine (this
    // ran at 100 ms and flaked at 103 beside a running API server) and still fails a storm handled inline
    const BOUND_MS = 500;
    expect((await sent).status).toBe(200);
    expect((await sent).ms).toBeLessThan(BOUND_MS);
    expect(health.length).toBeGreaterThan(0);
    expect(Math.max(...health.map((x) => x.ms))).toBeLessThan(BOUND_MS);
    if (acks.length) expect(Math.max(...acks)).toBeLessThan(BOUND_MS);
    const alerts = (await h.store.auditEntries()).filter((e) => e.kind === "alert" && e.what !== "Warmup resolved");
    expect(alerts).toHaveLength(1000);
    expect(new Set(alerts.map((e) => e.details["fingerprint"])).size).toBe(1000);
  }, 60_000);
});
