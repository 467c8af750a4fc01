import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import { CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { ALERT_TOKEN } from "../support/prometheus-stack.ts";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";

const env = inject("integration");

describe.skipIf(!!env.skipped)(
  "alerts end to end: a Prometheus rule fires from real data → real Alertmanager → memops → incident thread",
  () => {
    let h: Harness;
    beforeAll(async () => {
      const kc = new KubeConfig();
      kc.loadFromFile(env.kubeconfig.bot);
      h = await startHarness({
        cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
        metrics: new PromMetrics(env.prometheusUrl, 10_000),
        clock: { now: () => env.now },
        port: env.memopsAlertPort,
        alerts: { token: ALERT_TOKEN, channel: CHANNEL },
      });
    });
    afterAll(async () => h?.stop());

    it("ContainerHighMemory on the limit-too-low pod opens deploy/limit-too-low's incident with the high-memory runbook", async () => {
      const ws = h.emulator.workspace;
      const parent = await ws.waitFor(
        () =>
          ws
            .channelMessages(CHANNEL)
            .find(
              (m) =>
                messageText(m).includes("*deploy/limit-too-low -n scenarios*") &&
                messageText(m).includes("Full report"),
            ),
        45_000,
      );
      const text = messageText(parent);
      expect(text).toContain("requested by Alertmanager (ContainerHighMemory) · runbook `high-memory`");
      expect(text).toContain(
        "1 of 1 containers above 80% of their limit (highest limit-too-low-2f3a4b5c6d-a1b2c/app at 97%)",
      );
      expect(text).toContain("*Trend:* limit-too-low");
      expect(
        await h.store.openIncident({ kind: "deployment", name: "limit-too-low", namespace: "scenarios" }, CHANNEL),
      ).toMatchObject({
        threadTs: parent.ts,
      });
      await h.app.idle();
      // Alertmanager keeps repeating the group every 10 s: the thread is not flooded.
      await new Promise((r) => setTimeout(r, 12_000));
      await h.app.idle();
      expect(
        ws.channelMessages(CHANNEL).filter((m) => messageText(m).includes("*deploy/limit-too-low -n scenarios*")),
      ).toHaveLength(1);
      const alerts = (await h.store.auditEntries()).filter(
        (e) =>
          e.kind === "alert" &&
          e.target?.kind === "deployment" &&
          e.target.name === "limit-too-low" &&
          e.target.namespace === "scenarios",
      );
      expect(alerts[0]?.outcome).toBe("diagnosing");
      expect(alerts.slice(1).every((e) => e.outcome === "repeat: ignored")).toBe(true);
    }, 90_000);
  },
);
