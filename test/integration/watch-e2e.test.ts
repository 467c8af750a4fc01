import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { BOT_TOKEN } from "../support/app-harness.ts";
import { DATABASE_URL, freshSchema } from "../support/postgres.ts";
import { parsePolicy } from "../../src/core/remediation/policy.ts";
import { prefilterQuery } from "../../src/core/watch/prefilter-query.ts";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { QUIET_FLEET } from "../support/integration-world.ts";
import { markNotAProblem } from "../support/not-a-problem.ts";
import { messageText } from "../support/message-text.ts";

const env = inject("integration");

describe.skipIf(!!env.skipped)("the fleet watch on the real API server and Prometheus", () => {
  let h: Harness;
  let policy: NonNullable<ReturnType<typeof parsePolicy> & { ok: true }>["value"];
  const metrics = () => new PromMetrics(env.prometheusUrl, 10_000);
  beforeAll(async () => {
    const p = parsePolicy({
      rules: [{ namespaces: ["scenarios"], actions: ["restart", "raise-limit"], request: ["*"], approve: ["S0SRE"] }],
      watch: { targets: [{ namespaces: ["scenarios", "fleet"], channel: CHANNEL }] },
    });
    if (!p.ok) throw new Error(p.error.join("; "));
    policy = p.value;
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

  it("/mem digest reads a week of the real Prometheus: the scenarios' containers sized, the CSV in the thread", async () => {
    const ws = h.emulator.workspace;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "digest -n scenarios" });
    const digest = await ws.waitFor(
      () => ws.channelMessages(CHANNEL).find((m) => m.text.startsWith("Rightsizing digest of scenarios")),
      20_000,
    );
    // quiet: 200Mi flat under a 256Mi request; the limit too low sits at 96% of its 512Mi limit
    expect(messageText(digest)).toMatch(
      /\*Most over-provisioned[^\n]*\n(• [^\n]*\n)*• \*deploy\/quiet\* -n scenarios \(app\)/,
    );
    expect(messageText(digest)).toMatch(
      /\*Closest to their limit\*\n(• [^\n]*\n)*• \*deploy\/limit-too-low\* -n scenarios \(app\): 9\d% of its 512Mi limit now/,
    );
    // raised's old pod (512Mi, killed until the raise) is gone: the workload is its new pod under 640Mi
    expect(messageText(digest)).not.toMatch(/deploy\/raised\* -n scenarios \(app\): (limit 512Mi|\d+% of its 512Mi)/);
    const csv = await ws.waitFor(() => [...ws.files.values()].find((f) => f.name === "memops-digest.csv"));
    const rows = new TextDecoder().decode(csv.bytes).trim().split("\n").slice(1);
    const workloads = rows.map((r) => r.split(",")[1]);
    for (const w of ["leak", "oom-cycle", "spike", "plateau", "limit-too-low", "quiet"])
      expect(workloads).toContain(`deployment/${w}`);
    const quiet = rows.find((r) => r.startsWith("scenarios,deployment/quiet,app,"))!.split(",");
    expect(Number(quiet[4])).toBe(256 * 2 ** 20); // the request kube-state-metrics reports
    expect(Number(quiet[5])).toBe(1024 * 2 ** 20); // the limit
  });

  it("two replicas on one PostgreSQL: one warning each; a snooze and a 'not a problem' hold across a restart", async () => {
    const schema = await freshSchema();
    const emulator = await new SlackEmulator({ botToken: BOT_TOKEN, users: [{ id: ALICE, name: "alice" }] }).start();
    const stores: PostgresStore[] = [];
    const replicas: Harness[] = [];
    const replica = async () => {
      const store = new PostgresStore(DATABASE_URL, { schema: schema.schema });
      stores.push(store);
      const r = await startHarness({
        cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
        metrics: metrics(),
        clock: { now: () => env.now },
        policy,
        emulator,
        store,
      });
      replicas.push(r);
      return r;
    };
    try {
      const [a, b] = [await replica(), await replica()];
      const passes = await Promise.all([a.app.watchFleet(), b.app.watchFleet()]);
      expect(passes.filter((x) => x?.scanned)).toHaveLength(1);
      const ws = emulator.workspace;
      expect(ws.channelMessages(CHANNEL)).toHaveLength(3);
      const click = async (r: Harness, workload: string, label: string) => {
        const parent = ws
          .channelMessages(CHANNEL)
          .find((m) => messageText(m).includes(`*deploy/${workload} -n scenarios*`))!;
        const button = (
          parent.blocks as { type: string; elements?: { text: { text: string }; action_id: string; value: string }[] }[]
        )
          .flatMap((x) => (x.type === "actions" ? (x.elements ?? []) : []))
          .find((x) => x.text.text === label)!;
        await r.slack.click({
          user: ALICE,
          channel: CHANNEL,
          messageTs: parent.ts,
          actionId: button.action_id,
          value: button.value,
        });
        await ws.waitFor(() =>
          ws.thread(CHANNEL, parent.ts).find((m) => m.text.startsWith("The memory watch is quiet")),
        );
      };
      await click(a, "leak", "Snooze 24 h");
      const limitTooLow = ws
        .channelMessages(CHANNEL)
        .find((m) => messageText(m).includes("*deploy/limit-too-low -n scenarios*"))!;
      await markNotAProblem(b, limitTooLow, ALICE, "batch importer: sized for its nightly peak");
      await ws.waitFor(() =>
        ws.thread(CHANNEL, limitTooLow.ts).find((m) => m.text.startsWith("The memory watch is quiet")),
      );
      // both incidents are resolved, both replicas restart: the episodes are over, the mutes are not
      for (const store of [stores[0]!]) {
        for (const name of ["leak", "limit-too-low", "oom-cycle"]) {
          const subject = { kind: "deployment" as const, name, namespace: "scenarios" };
          const open = await store.openIncident(subject, CHANNEL);
          if (open) await store.resolveIncident(open.id, env.now);
          await store.endWatchWarning(subject, CHANNEL);
        }
        // the stopped replicas' lease has run out (the world's clock stands still: its series end at env.now)
        await schema.client.query("UPDATE leases SET until_at = 0");
      }
      for (const r of replicas.splice(0)) await r.stop();
      await Promise.all(stores.splice(0).map((s) => s.close()));
      const c = await replica();
      const after = await c.app.watchFleet();
      expect(after?.scanned).toBe(true);
      expect(after!.posted.map((x) => x.split(":")[0])).toEqual(["deployment/oom-cycle -n scenarios"]);
      expect(after!.quiet).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^deployment\/leak -n scenarios: snoozed by <@U0ALICE> until /),
          expect.stringMatching(
            /^deployment\/limit-too-low -n scenarios: marked "not a problem" by <@U0ALICE>: batch importer: sized for its nightly peak$/,
          ),
        ]),
      );
    } finally {
      for (const r of replicas) await r.stop();
      await Promise.all(stores.map((s) => s.close()));
      await emulator.stop();
      await schema.drop();
    }
  });
});
