import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { formatInstant } from "../../src/core/duration.ts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import { validateBlocks } from "../../src/slack/emulator/block-kit.ts";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";

const env = inject("integration");

describe.skipIf(!!env.skipped)(
  "/mem diagnose end to end: signed request → Bolt → real API server and Prometheus → thread",
  () => {
    let h: Harness;
    beforeAll(async () => {
      const kc = new KubeConfig();
      kc.loadFromFile(env.kubeconfig.bot);
      // The world was seeded at env.now; diagnose at that instant so the kill 12 minutes before is where the seed put it.
      h = await startHarness({
        cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
        metrics: new PromMetrics(env.prometheusUrl, 10_000),
        clock: { now: () => env.now },
      });
    });
    afterAll(async () => h?.stop());

    it("reports restart counts, last termination reasons and limits equal to what kubectl get -o json shows", async () => {
      const ack = await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
      expect(ack.status).toBe(200);
      const ws = h.emulator.workspace;
      const parent = await ws.waitFor(
        () => ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report in the thread")),
        20_000,
      );
      const thread = ws.thread(CHANNEL, parent.ts);
      const report = thread.map(messageText).join("\n");
      for (const m of thread) expect(validateBlocks(m.blocks)).toBeNull();

      // What an administrator sees with kubectl get pods -n shop -o json.
      const admin = new KubeConfig();
      admin.loadFromFile(env.kubeconfig.admin);
      const pods = (
        await admin
          .makeApiClient(CoreV1Api)
          .listNamespacedPod({ namespace: "shop", labelSelector: "pod-template-hash=7d9c8f6b5d" })
      ).items;
      expect(pods).toHaveLength(3);
      for (const pod of pods) {
        for (const c of pod.spec!.containers) {
          const limits = c.resources!.limits!["memory"]!,
            requests = c.resources!.requests!["memory"]!;
          expect(report).toMatch(new RegExp(`${pod.metadata!.name}/${c.name}\\s+\\S+\\s+${requests}\\s+${limits}\\s`));
        }
        for (const s of pod.status!.containerStatuses!) {
          const reason = s.lastState?.terminated?.reason;
          if (s.restartCount > 0 || reason)
            expect(report).toMatch(
              new RegExp(
                `${pod.metadata!.name}/${s.name}\\s+${s.restartCount}\\s+${reason ?? "—"}\\s+${s.lastState?.terminated?.exitCode ?? "—"}`,
              ),
            );
        }
      }
      expect(messageText(parent)).toContain(
        `api-7d9c8f6b5d-x2x9q/api was OOMKilled at ${formatInstant(env.now - 720)} (4 restarts, CrashLoopBackOff)`,
      );
      expect(report).not.toContain("api-canary");
      expect(report).toContain("java.lang.OutOfMemoryError: Java heap space");
      expect(report).not.toContain("hunter2");
      expect(report).toMatch(/node-a\s+YES\s+8Gi/);
      expect(report).toContain("OOMKilling");
      expect(report).toMatch(/api-7d9c8f6b5d-k8s7d\/api\* `[▁▂▃▄▅▆▇█ ]+` \*leak\*/);
      expect(report).toMatch(/api-7d9c8f6b5d-x2x9q\/api\* `[▁▂▃▄▅▆▇█ ]+` \*oom-cycle\*/);
      expect(report).not.toContain("unavailable");
    });
  },
);

describe.skipIf(!!env.skipped)(
  "memops playground --kubeconfig --prometheus: the same page against a real cluster",
  () => {
    it("diagnoses a real Deployment from the page's API, through the emulator and the unchanged app", async () => {
      const { startPlayground } = await import("../../src/playground/playground.ts");
      const { pino } = await import("pino");
      const { shippedRunbooks } = await import("../support/app-harness.ts");
      const pg = await startPlayground({
        host: "127.0.0.1",
        port: 0,
        runbooks: await shippedRunbooks(),
        log: pino({ level: "silent" }),
        verifyWindowSeconds: 1,
        kubeconfig: env.kubeconfig.bot,
        prometheus: env.prometheusUrl,
      });
      try {
        const sent = await fetch(new URL("/api/command", pg.url), {
          method: "POST",
          headers: { "content-type": "application/json", origin: new URL(pg.url).origin },
          body: JSON.stringify({ user: "U0ALICE", text: "/mem diagnose deploy/api -n shop" }),
        });
        expect(sent.status).toBe(200);
        const ws = pg.emulator.workspace;
        const parent = await ws.waitFor(
          () => ws.messages.find((m) => m.threadTs === null && messageText(m).includes("Full report in the thread")),
          20_000,
        );
        const state = (await (await fetch(new URL("/api/state?user=U0ALICE", pg.url))).json()) as {
          scenarios: unknown[];
          messages: { threadTs: string | null; text: string }[];
        };
        expect(state.scenarios).toEqual([]); // no simulated workloads against a real cluster
        const report = state.messages
          .filter((m) => m.threadTs === parent.ts)
          .map((m) => m.text)
          .join("\n");
        expect(messageText(parent)).toContain("api-7d9c8f6b5d-x2x9q/api was OOMKilled");
        expect(report).toContain("Memory report for deploy/api -n shop");
      } finally {
        await pg.stop();
      }
    });
  },
);
