import { AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifyChain } from "../../src/core/audit.ts";
import { parsePolicy } from "../../src/core/remediation/policy.ts";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import type { EmuMessage } from "../../src/slack/emulator/workspace.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import {
  ALICE,
  BOT_TOKEN,
  cardRecorded,
  CHANNEL,
  type Harness,
  type HarnessOptions,
  startHarness,
} from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { DATABASE_URL, freshSchema } from "../support/postgres.ts";
import { EXIT, runCli, type Wiring } from "../../src/cli/run-cli.ts";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";

const env = inject("integration");
const BOB = "U0BOB";
type Button = { action_id: string; value: string; text: { text: string } };
const buttons = (m: EmuMessage): Button[] =>
  (m.blocks as { type: string; elements?: Button[] }[])
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? []);

describe.skipIf(!!env.skipped)("two replicas on one PostgreSQL behind one Slack app", () => {
  let emulator: SlackEmulator;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  const stores: PostgresStore[] = [];
  let options: HarnessOptions;
  let apps: AppsV1Api;

  const replica = async () => {
    const store = new PostgresStore(DATABASE_URL, { schema: schema.schema });
    stores.push(store);
    return startHarness({ ...options, emulator, store });
  };

  beforeAll(async () => {
    schema = await freshSchema();
    emulator = await new SlackEmulator({
      botToken: BOT_TOKEN,
      users: [ALICE, BOB].map((id) => ({ id, name: id })),
      usergroups: { S0SRE: [BOB] },
    }).start();
    const bot = new KubeConfig();
    bot.loadFromFile(env.kubeconfig.bot);
    const admin = new KubeConfig();
    admin.loadFromFile(env.kubeconfig.admin);
    apps = admin.makeApiClient(AppsV1Api);
    const policy = parsePolicy({
      rules: [
        {
          namespaces: ["scenarios"],
          actions: ["restart", "raise-limit", "scale-out"],
          request: ["*"],
          approve: ["S0SRE"],
        },
      ],
      identities: { [BOB]: { user: "bob@example.com" } },
    });
    if (!policy.ok) throw new Error(policy.error.join("; "));
    options = {
      cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
      metrics: new PromMetrics(env.prometheusUrl, 10_000),
      clock: { now: () => env.now },
      policy: policy.value,
    };
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await emulator?.stop();
    await schema?.drop();
  });

  it("requests alternate between replicas; 20 concurrent approvals on both execute once; a pending approval survives a restart", async () => {
    const a: Harness = await replica();
    let b: Harness = await replica();
    const ws = emulator.workspace;
    const before = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "quiet" });

    await a.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/quiet -n scenarios" });
    const card = await ws.waitFor(
      () =>
        ws
          .channelMessages(CHANNEL)
          .find((m) => messageText(m).includes("Approval needed: Rolling restart of deploy/quiet")),
      20_000,
    );
    const id = buttons(card).find((x) => x.action_id === "mem:approve")!.value;
    await cardRecorded(a.store, id);

    // b restarts while the request is pending: what it knows is in PostgreSQL, not in its memory.
    await b.stop();
    b = await replica();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).slack.click({
          user: BOB,
          channel: CHANNEL,
          messageTs: card.ts,
          actionId: "mem:approve",
          value: id,
        }),
      ),
    );
    await ws.waitFor(() => ws.thread(CHANNEL, card.ts).find((m) => m.text.startsWith("Done:")), 20_000);
    // every click is answered after its ack: wait until all 20 decisions (1 approval, 19 refusals) are on record
    // (not `idle`: it waits for the verification too, and no controller rolls this deployment out)
    for (let i = 0; i < 200 && (await a.store.auditEntries()).filter((e) => e.kind === "approval").length < 20; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }

    const after = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "quiet" });
    expect(after.metadata!.generation).toBe(before.metadata!.generation! + 1);
    expect(ws.thread(CHANNEL, card.ts).filter((m) => m.text.startsWith("Done:"))).toHaveLength(1);
    const audit = await a.store.auditEntries();
    expect(verifyChain(audit)).toEqual({ ok: true, entries: audit.length });
    expect(audit.filter((e) => e.kind === "mutation")).toHaveLength(1);
    expect(audit.filter((e) => e.kind === "approval" && e.outcome === "approved")).toHaveLength(1);
    expect(audit.filter((e) => e.kind === "approval")).toHaveLength(20);
    await a.stop();
    await b.stop();

    // memops audit verify on what this activity left in PostgreSQL: green, then red after tampering with any one row.
    const wiring: Wiring = {
      diagnosisDeps: () => {
        throw new Error("unused");
      },
      serve: async () => undefined,
      playground: async () => undefined,
      blocks: () => [],
      openStore: () => new PostgresStore(DATABASE_URL, { schema: schema.schema }),
    };
    const run = async () => {
      const out: string[] = [],
        err: string[] = [];
      const code = await runCli(
        ["audit", "verify"],
        { DATABASE_URL },
        { out: (t) => out.push(t), err: (t) => err.push(t) },
        wiring,
      );
      return { code, text: [...out, ...err].join("\n") };
    };
    expect(await run()).toMatchObject({
      code: EXIT.ok,
      text: expect.stringMatching(new RegExp(`^audit log intact: ${audit.length} entries`)),
    });
    const n = audit.length;
    const q = (sql: string) => schema.client.query(sql);
    /** Deletes a row and returns how to put it back exactly. */
    const remove = async (seq: number) => {
      const [row] = (
        await schema.client.query<Record<string, unknown>>(
          `DELETE FROM audit WHERE seq = ${seq} RETURNING seq, at, kind, target, entry, prev_hash, hash`,
        )
      ).rows;
      return async () => {
        await schema.client.query(
          "INSERT INTO audit (seq, at, kind, target, entry, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          [row!["seq"], row!["at"], row!["kind"], row!["target"], row!["entry"], row!["prev_hash"], row!["hash"]],
        );
      };
    };
    const cases: [() => Promise<() => Promise<unknown>>, string][] = [
      [
        async () => {
          await q(
            'UPDATE audit SET entry = replace(entry, \'"outcome":"accepted"\', \'"outcome":"refused"\') WHERE seq = 1',
          );
          return () =>
            q(
              'UPDATE audit SET entry = replace(entry, \'"outcome":"refused"\', \'"outcome":"accepted"\') WHERE seq = 1',
            );
        },
        "entry 1 does not match its hash: edited",
      ],
      [
        async () => {
          await q("UPDATE audit SET seq = -2 WHERE seq = 2");
          return () => q("UPDATE audit SET seq = 2 WHERE seq = -2");
        },
        "entry -2 is out of order",
      ],
      [() => remove(3), "entry 3 is missing (entry 2 is followed by 4)"],
      [
        () => remove(n),
        `the log ends at entry ${n - 1}, but entry ${n} was written: entries were deleted from the end`,
      ],
    ];
    for (const [tamper, says] of cases) {
      const undo = await tamper();
      const r = await run();
      expect(r.code).toBe(EXIT.failure);
      expect(r.text).toContain(says);
      await undo();
      expect((await run()).code).toBe(EXIT.ok);
    }
  }, 60_000);

  it("a verification watch whose replica dies is taken over by the other after its lease, and reported once", async () => {
    let nowMs = env.now * 1000;
    const clock = { now: () => nowMs / 1000 };
    const storeA = new PostgresStore(DATABASE_URL, { schema: schema.schema });
    const storeB = new PostgresStore(DATABASE_URL, { schema: schema.schema });
    stores.push(storeA, storeB);
    const a = await startHarness({
      ...options,
      clock,
      emulator,
      store: storeA,
      verifyWindowSeconds: 600,
      sleep: () => new Promise<void>(() => undefined),
    });
    const b = await startHarness({
      ...options,
      clock,
      emulator,
      store: storeB,
      verifyWindowSeconds: 600,
      sleep: async (ms) => {
        nowMs += ms;
      },
    });
    const ws = emulator.workspace;
    await a.slack.slash({ user: ALICE, channel: CHANNEL, text: "restart deploy/leak -n scenarios" });
    const card = await ws.waitFor(
      () => ws.messages.find((m) => messageText(m).includes("Approval needed: Rolling restart of deploy/leak")),
      20_000,
    );
    const id = buttons(card).find((x) => x.action_id === "mem:approve")!.value;
    await cardRecorded(storeA, id);
    await a.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
    const thread = card.threadTs ?? card.ts;
    await ws.waitFor(
      () => ws.thread(CHANNEL, thread).find((m) => m.text === "Done: Rolling restart of deploy/leak in scenarios"),
      20_000,
    );
    await a.stop(); // dies while watching

    nowMs += 31_000;
    await b.app.resumeWatches();
    const outcome = (m: { text: string }) => /^(Not verified|Verified): Rolling restart of deploy\/leak/.test(m.text);
    await ws.waitFor(() => ws.thread(CHANNEL, thread).find(outcome), 20_000);
    await b.app.idle();
    expect(ws.thread(CHANNEL, thread).filter(outcome)).toHaveLength(1);
    expect(
      (await storeB.auditEntries()).filter(
        (e) =>
          e.kind === "verification" &&
          e.target?.kind === "deployment" &&
          e.target.name === "leak" &&
          e.target.namespace === "scenarios",
      ),
    ).toHaveLength(1);
    await b.stop();
  }, 60_000);
});
