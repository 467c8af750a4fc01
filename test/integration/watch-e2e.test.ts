import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parsePolicy } from "../../src/core/remediation/policy.ts";
import { prefilterQuery } from "../../src/core/watch/prefilter-query.ts";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { QUIET_FLEET } from "../support/integration-world.ts";
import { messageText } from "../support/message-text.ts";

const env = inject("integration");

describe.skipIf(!!env.skipped)("the fleet watch on the real API server and Prometheus", () => {
  let h: Harness;
  const metrics = () => new PromMetrics(env.prometheusUrl, 10_000);
  beforeAll(async () => {
    const p = parsePolicy({
      rules: [{ namespaces: ["scenarios"], actions: ["restart", "raise-limit"], request: ["*"], approve: ["S0SRE"] }],
      watch: { targets: [{ namespaces: ["scenarios", "fleet"], channel: CHANNEL }] },
    });
    if (!p.ok) throw new Error(p.error.join("; "));
    h = await startHarness({
      cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
      metrics: metrics(),
      clock: { now: () => env.now },
      policy: p.value,
      users: [{ id: ALICE, name: "alice" }],
    });
  });
  afterAll(async () => h?.stop());

  it("the prefilter, one query over the world and 3,000 quiet containers, names the leak, the limit too low and the OOM cycle only", async () => {
    const q = prefilterQuery({ namespaces: ["scenarios", "fleet"], horizonSeconds: 6 * 3600, minShare: 0.5 });
    const answer = await metrics().evaluate(q, env.now);
    const quiet = await metrics().evaluate('count(container_memory_working_set_bytes{namespace="fleet"})', env.now);
    expect(quiet[0]?.value).toBe(QUIET_FLEET);
    const pods = [...new Set(answer.map((a) => a.labels["pod"]!.replace(/-[a-z0-9]{10}-[a-z0-9]{5}$/, "")))].sort();
    expect(pods).toEqual(["leak", "limit-too-low", "oom-cycle"]);
  });

  it("warns for the leak and the limit too low, opens an incident for the OOM cycle, nothing for plateau, spike or quiet; once", async () => {
    const pass = await h.app.watchFleet();
    expect(pass?.scanned).toBe(true);
    const posted = pass!.posted.map((p) => p.split(":")[0]).sort();
    expect(posted).toEqual([
      "deployment/leak -n scenarios",
      "deployment/limit-too-low -n scenarios",
      "deployment/oom-cycle -n scenarios",
    ]);
    const parents = h.emulator.workspace.channelMessages(CHANNEL).map(messageText);
    expect(parents).toHaveLength(3);
    expect(parents.join("\n")).toMatch(
      /deploy\/leak \(container app\) will reach its 1Gi limit in ~\dh( \d+m)? \([^)]+\): it looks like a leak/,
    );
    expect(parents.join("\n")).toMatch(/deploy\/limit-too-low \(container app\) sits at 9\d% of its 512Mi limit/);
    expect(parents.join("\n")).toMatch(/deploy\/oom-cycle \(container app\) is being OOM-killed at its 512Mi limit/);
    for (const quiet of ["plateau", "spike", "quiet"]) expect(parents.join("\n")).not.toContain(`deploy/${quiet} `);
    expect((await h.app.watchFleet())!.posted).toEqual([]);
    expect(h.emulator.workspace.channelMessages(CHANNEL)).toHaveLength(3);
  });
});
