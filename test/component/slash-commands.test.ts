import { afterEach, describe, expect, it } from "vitest";
import { MiB } from "../../src/core/quantity.ts";
import { validateBlocks } from "../../src/slack/emulator/block-kit.ts";
import { slackSignature } from "../../src/slack/emulator/signature.ts";
import { ALICE, BOT_TOKEN, CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/app-harness.ts";
import { FakeCluster } from "../support/fake-cluster.ts";
import { FakeMetrics } from "../support/fake-metrics.ts";
import { controller, node, NOW, pod, series, status, workload } from "../support/fixtures.ts";
import { messageText } from "../support/message-text.ts";
import { parsePolicy } from "../../src/core/remediation/policy.ts";
import { shopCluster, shopMetrics } from "../support/shop-scenario.ts";

const clock = { now: () => NOW };
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(
  cluster = shopCluster(),
  metrics: FakeMetrics | null = shopMetrics(),
  channels?: Parameters<typeof startHarness>[0]["channels"],
) {
  h = await startHarness({ cluster, metrics, clock, ...(channels ? { channels } : {}) });
  return h;
}

/** Lets any work the app started after its acknowledgement finish before asserting that nothing happened. */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe("request signatures", () => {
  it("rejects a tampered signature with 401 and posts nothing", async () => {
    const { slack, emulator } = await start();
    const res = await slack.slash({
      user: ALICE,
      channel: CHANNEL,
      text: "diagnose deploy/api -n shop",
      signature: `v0=${"0".repeat(64)}`,
    });
    await settle();
    expect(res.status).toBe(401);
    expect(emulator.workspace.messages).toHaveLength(0);
    expect(emulator.workspace.ephemerals).toHaveLength(0);
  });

  it("rejects a correctly signed but stale request (timestamp older than 5 minutes)", async () => {
    const { slack, emulator } = await start();
    const res = await slack.slash({
      user: ALICE,
      channel: CHANNEL,
      text: "diagnose deploy/api -n shop",
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    await settle();
    expect(res.status).toBe(401);
    expect(emulator.workspace.messages).toHaveLength(0);
  });

  it("rejects a body changed after signing", async () => {
    const { appUrl, emulator } = await start();
    const ts = Math.floor(Date.now() / 1000);
    const signed = "command=%2Fmem&text=help&user_id=U0ALICE&channel_id=C0INCIDENTS";
    const res = await fetch(appUrl, {
      method: "POST",
      body: signed.replace("help", "diagnose+ns%2Fshop"),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": slackSignature(SIGNING_SECRET, ts, signed),
      },
    });
    await settle();
    expect(res.status).toBe(401);
    expect(emulator.workspace.messages).toHaveLength(0);
  });
});

describe("bad input gets an ephemeral answer and changes nothing", () => {
  it.each([
    ["diagnose Deploy/API -n shop", 'deployment name "API" is not valid'],
    ["diagnose deploy/api -n Shop_1", 'namespace "Shop_1" is not valid'],
    ["diagnose deploy/api --since 3 hours", '--since: "3" is not a duration'],
    ["diagnose deploy/api --since 30d", "--since must be between 10m and 14d"],
    ["diagnose deploy/api --frobnicate", "unknown option --frobnicate"],
    ["diagnose deploy/api -n", "option -n needs a value"],
    ["diagnose job/api", 'unknown kind "job"'],
    ["diagnose -l 'app in (a,b'", "is not a label selector requirement"],
    ["diagnose deploy/api deploy/web", "one target at a time"],
  ])("/mem %s → %s", async (text, problem) => {
    const cluster = shopCluster();
    const { slack, emulator } = await start(cluster);
    const res = await slack.slash({ user: ALICE, channel: CHANNEL, text });
    await settle();
    expect(res.status).toBe(200);
    const [reply] = emulator.workspace.ephemeralFor(ALICE);
    expect(messageText(reply!)).toContain(problem);
    expect(messageText(reply!)).toContain("Usage:");
    expect(emulator.workspace.messages).toHaveLength(0);
    expect(cluster.calls).toHaveLength(0);
  });

  it("/mem alone and an unknown subcommand show the help", async () => {
    const { slack, emulator } = await start();
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "" });
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "frobnicate deploy/api" });
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnsoe deploy/api" });
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "scale deploy/web -n shop -3" });
    const [help, unknown, typo, negative] = emulator.workspace.ephemeralFor(ALICE);
    expect(messageText(help!)).toContain("/mem diagnose <deploy/NAME");
    expect(messageText(unknown!)).toContain('unknown subcommand "frobnicate"');
    expect(messageText(unknown!)).not.toContain("did you mean");
    expect(messageText(typo!)).toContain('unknown subcommand "diagnsoe" (did you mean `diagnose`?)');
    expect(messageText(negative!)).toContain("replicas must be a positive number (got -3)");
    expect(emulator.workspace.messages).toHaveLength(0);
  });

  it("a target that does not exist is answered privately, without opening a thread", async () => {
    const { slack, emulator } = await start();
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/payments -n shop" });
    const reply = await emulator.workspace.waitFor(() => emulator.workspace.ephemeralFor(ALICE)[0]);
    expect(reply.text).toBe(
      'Could not diagnose deploy/payments -n shop: deployment "payments" not found in namespace "shop"',
    );
    expect(emulator.workspace.messages).toHaveLength(0);
  });

  it("an ambiguous bare name asks which one", async () => {
    const cluster = shopCluster();
    cluster.data.workloads.push(workload({ kind: "statefulset", name: "api" }));
    const { slack, emulator } = await start(cluster);
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose api -n shop" });
    const reply = await emulator.workspace.waitFor(() => emulator.workspace.ephemeralFor(ALICE)[0]);
    expect(reply.text).toContain('"api" is ambiguous in namespace "shop": deployment/api, statefulset/api');
  });

  it("RBAC refusing the bot is said plainly", async () => {
    const { slack, emulator } = await start(shopCluster({ forbidden: ["getWorkload"] }));
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    const reply = await emulator.workspace.waitFor(() => emulator.workspace.ephemeralFor(ALICE)[0]);
    expect(reply.text).toContain("forbidden by RBAC");
  });

  it("a private channel the bot is not in gets an ephemeral 'invite memops'", async () => {
    const { slack, emulator } = await start(shopCluster(), shopMetrics(), [
      { id: "G0SECRET", name: "secret", isPrivate: true, members: [ALICE] },
    ]);
    await slack.slash({ user: ALICE, channel: "G0SECRET", text: "diagnose deploy/api -n shop" });
    const reply = await emulator.workspace.waitFor(() => emulator.workspace.ephemeralFor(ALICE)[0]);
    expect(reply.text).toContain("invite it with /invite @memops");
    expect(emulator.workspace.messages).toHaveLength(0);
  });
});

describe("a namespace with 2,000 pods", () => {
  it("summarises the top offenders within Block Kit limits", async () => {
    const pods = Array.from({ length: 2000 }, (_, i) =>
      pod({
        name: `worker-6c9f8d7b5-${String(i).padStart(5, "0")}`,
        namespace: "big",
        nodeName: `node-${i % 40}`,
        owners: [controller("ReplicaSet", "worker-6c9f8d7b5")],
        labels: { app: "worker" },
        statuses: [status({ name: "api", restartCount: i % 97 === 0 ? 3 : 0 })],
      }),
    );
    const metrics = new FakeMetrics(
      pods.map((p, i) => ({
        namespace: "big",
        pod: p.name,
        container: "api",
        workingSet: series(6 * 3600, 300, () => (100 + (i % 400)) * MiB, MiB, i),
      })),
    );
    const cluster = new FakeCluster({ pods, nodes: Array.from({ length: 40 }, (_, i) => node({ name: `node-${i}` })) });
    const { slack, emulator } = await start(cluster, metrics);
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose ns/big" });
    const ws = emulator.workspace;
    const parent = await ws.waitFor(
      () => ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report in the thread")),
      15_000,
    );
    const thread = ws.thread(CHANNEL, parent.ts);
    const report = thread.map(messageText).join("\n");
    expect(report).toContain("…and 1990 more containers");
    expect(report).toContain("2000 pods");
    for (const m of thread) {
      expect(validateBlocks(m.blocks)).toBeNull();
      expect(m.blocks.length).toBeLessThanOrEqual(50);
    }
    // the list was read page by page, never in one call
    const pageCalls = cluster.calls.filter((c) => c.method === "listPods" && c.args[0] === "big");
    expect(pageCalls.length).toBeGreaterThanOrEqual(4);
  }, 30_000);
});

describe("other commands and endpoints", () => {
  it("/mem runbooks lists the shipped runbooks", async () => {
    const { slack, emulator } = await start();
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "runbooks" });
    const text = messageText(emulator.workspace.ephemeralFor(ALICE)[0]!);
    expect(text).toContain("*high-memory* — High memory usage");
    expect(text).toContain("*oomkilled* — Container OOMKilled, crash-looping");
  });

  it("serves /healthz and /readyz", async () => {
    const { app } = await start();
    const base = `http://127.0.0.1:${app.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ slack: "ok", cluster: "ok (v1.33.0-fake)" });
  });

  it("logs each request with its user, and never the bot token", async () => {
    const { slack, emulator, logs } = await start();
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    await emulator.workspace.waitFor(() =>
      emulator.workspace.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report")),
    );
    const accepted = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l["msg"] === "command accepted");
    expect(accepted).toMatchObject({ user: ALICE, channel: CHANNEL, command: "diagnose" });
    expect(logs.join("\n")).not.toContain(BOT_TOKEN);
  });
});

describe("/mem audit", () => {
  it("shows the recent entries for a workload, only to the person who asked", async () => {
    const { slack, emulator } = await start();
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    await emulator.workspace.waitFor(() =>
      emulator.workspace.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report")),
    );
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/Bad -n shop" });
    await slack.slash({ user: "U0BOB", channel: CHANNEL, text: "audit deploy/api -n shop --since 1h" });
    const shown = messageText(emulator.workspace.ephemeralFor("U0BOB").at(-1)!);
    expect(shown).toContain("*Audit log for deployment/api -n shop* (latest 2)");
    expect(shown).toMatch(
      /\*diagnosis\* · deployment\/api -n shop — oomkilled on deploy\/api -n shop \(requested by <@U0ALICE>\) → api-7d9c8f6b5d-x2x9q\/api was OOMKilled/,
    );
    expect(shown).toMatch(
      /`#1` 2026-09-21T\d\d:\d\d:\d\d.000Z \*command\* by <@U0ALICE> · deployment\/api -n shop — \/mem diagnose deploy\/api -n shop → accepted/,
    );
    // the time is a Slack date: each reader sees it in their own zone
    expect(JSON.stringify(emulator.workspace.ephemeralFor("U0BOB").at(-1))).toMatch(
      /`#1` <!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+> \*command\*/,
    );
    await slack.slash({ user: "U0BOB", channel: CHANNEL, text: "audit" });
    expect(messageText(emulator.workspace.ephemeralFor("U0BOB").at(-1)!)).toContain(
      'answered: deployment name "Bad" is not valid',
    );
  });
});

describe("input that is too long or picks a key it should not", () => {
  const commandEntries = async () => (await h!.store.auditEntries()).filter((e) => e.kind === "command");

  it("refuses slash text over 2,000 characters with a clear error, and audits a bounded excerpt", async () => {
    const { slack } = await start();
    const text = `diagnose deploy/api -n shop ${"x".repeat(3 * 1024 * 1024)}`;
    const res = await slack.slash({ user: ALICE, channel: CHANNEL, text });
    expect(res.status).toBe(200);
    expect(res.body.length).toBeLessThan(4000);
    expect(res.body).toContain("memops reads commands of at most 2,000");
    await settle();
    const [entry] = await commandEntries();
    expect(JSON.stringify(entry).length).toBeLessThan(2000);
    expect(entry?.what.startsWith("/mem diagnose deploy/api -n shop xxx")).toBe(true);
  });

  it("quotes only a short excerpt of an unknown word back", async () => {
    const { slack } = await start();
    const word = `z${"q".repeat(1900)}`;
    const res = await slack.slash({ user: ALICE, channel: CHANNEL, text: word });
    expect(res.body).toContain("unknown subcommand");
    expect(res.body).not.toContain("q".repeat(100));
    const opt = await slack.slash({ user: ALICE, channel: CHANNEL, text: `diagnose deploy/api --${"w".repeat(1500)}` });
    expect(opt.body).toContain("unknown option");
    expect(opt.body).not.toContain("w".repeat(100));
  });

  it.each(["constructor/api", "__proto__/api", "toString/api", "hasOwnProperty/api"])(
    "refuses %s as a kind with the usual message, not a crash",
    async (target) => {
      const { slack } = await start();
      const res = await slack.slash({ user: ALICE, channel: CHANNEL, text: `diagnose ${target} -n shop` });
      expect(res.body).toContain(`unknown kind \\"${target.split("/")[0]}\\"`);
      expect(res.body).not.toContain("Cannot read properties");
      expect(h!.logs.join("")).not.toContain('"level":50');
    },
  );
});

describe("channels bound to namespaces by the policy", () => {
  const bound = (extra: Record<string, unknown> = {}) => {
    const p = parsePolicy({
      rules: [{ namespaces: ["*"], actions: ["restart"], request: ["*"], approve: ["*"] }],
      channels: { [CHANNEL]: ["shop"] },
      identities: { [ALICE]: { user: "alice@example.com" } },
      ...extra,
    });
    if (!p.ok) throw new Error(p.error.join("; "));
    return p.value;
  };
  const OTHER = "C0OTHER";
  const start = async (policy: ReturnType<typeof bound>, cluster = shopCluster()) => {
    h = await startHarness({
      cluster,
      metrics: shopMetrics(),
      clock,
      policy,
      channels: [
        { id: CHANNEL, name: "incidents" },
        { id: OTHER, name: "other" },
      ],
    });
    return h;
  };
  const refusals = async () =>
    (await h!.store.auditEntries()).filter((e) => e.kind === "command").map((e) => [e.what, e.outcome]);

  it("a channel diagnoses its namespaces; another namespace, or an unbound channel, gets a clear refusal and nothing runs", async () => {
    const { slack, emulator } = await start(bound());
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n kube-system" });
    await slack.slash({ user: ALICE, channel: OTHER, text: "diagnose deploy/api -n shop" });
    await slack.slash({ user: ALICE, channel: OTHER, text: "restart deploy/api -n shop" });
    await settle();
    expect(emulator.workspace.messages).toEqual([]);
    expect(await refusals()).toEqual([
      ["/mem diagnose deploy/api -n kube-system", "refused: this channel may diagnose shop, not namespace kube-system"],
      [
        "/mem diagnose deploy/api -n shop",
        "refused: memops is not set up for this channel: its policy binds channels to namespaces, and this channel has none",
      ],
      [
        "/mem restart deploy/api -n shop",
        "refused: memops is not set up for this channel: its policy binds channels to namespaces, and this channel has none",
      ],
    ]);
    expect(
      emulator.workspace
        .ephemeralFor(ALICE)
        .map((e) => e.text)
        .join("\n"),
    ).toContain("this channel may diagnose shop, not namespace kube-system");
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    await emulator.workspace.waitFor(() =>
      emulator.workspace.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report in the thread")),
    );
  });

  it("/mem audit shows a channel its own namespaces' entries only", async () => {
    const { slack, emulator } = await start(bound());
    await h!.store.appendAudit({
      at: NOW - 60,
      kind: "mutation",
      slackUser: null,
      kubernetesIdentity: null,
      target: { kind: "deployment", name: "secret-app", namespace: "payments" },
      what: "raise the limit of payments' app",
      outcome: "ok",
      details: {},
    });
    await h!.store.appendAudit({
      at: NOW - 30,
      kind: "mutation",
      slackUser: null,
      kubernetesIdentity: null,
      target: { kind: "deployment", name: "api", namespace: "shop" },
      what: "raise the limit of shop's api",
      outcome: "ok",
      details: {},
    });
    const res = await slack.slash({ user: ALICE, channel: CHANNEL, text: "audit" });
    expect(res.body).toContain("raise the limit of shop");
    expect(res.body).not.toContain("payments");
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "audit deploy/secret-app -n payments" });
    await settle();
    expect(emulator.workspace.ephemeralFor(ALICE).at(-1)?.text).toContain(
      "this channel may diagnose shop, not namespace payments",
    );
  });

  it("with diagnoseAccess, the person's own identity must be allowed to read the pods' logs (SubjectAccessReview)", async () => {
    const cluster = shopCluster();
    const { slack, emulator } = await start(bound({ diagnoseAccess: "subject-access-review" }), cluster);
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    await settle();
    expect(emulator.workspace.messages).toEqual([]);
    expect((await refusals()).at(-1)?.[1]).toBe(
      "refused: alice@example.com may not read pod logs in namespace shop, so memops will not show them to you",
    );
    expect(cluster.calls.find((c) => c.method === "mayDo")?.args[1]).toMatchObject({
      verb: "get",
      resource: "pods",
      subresource: "log",
      namespace: "shop",
    });
    cluster.data.logReaders.push("alice@example.com");
    await slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    await emulator.workspace.waitFor(() =>
      emulator.workspace.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report in the thread")),
    );
  });
});
