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
