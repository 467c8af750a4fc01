import { mkdtempSync, writeFileSync } from "node:fs";
import { reportMessages } from "../../src/slack/render/report.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pino } from "pino";
import { SqliteStore } from "../../src/store/sqlite-store.ts";
import { describe, expect, it } from "vitest";
import { EXIT, type PlaygroundFlags, runCli, type Wiring } from "../../src/cli/run-cli.ts";
import { validateBlocks } from "../../src/slack/emulator/block-kit.ts";
import { NOW, SHOP, shopCluster, shopMetrics } from "../support/shop-scenario.ts";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const dbDir = mkdtempSync(join(tmpdir(), "memops-cli-"));
const playgroundCalls: PlaygroundFlags[] = [];
const wiring: Wiring = {
  diagnosisDeps: () => ({
    cluster: shopCluster(),
    metrics: shopMetrics(),
    clock: { now: () => NOW },
    log: pino({ level: "silent" }),
  }),
  serve: async () => undefined,
  blocks: reportMessages,
  playground: async (flags) => {
    playgroundCalls.push(flags);
  },
  openStore: () => new SqliteStore(join(dbDir, "memops.db")),
};

describe("memops CLI", () => {
  it("diagnose prints the same findings as the Slack report", async () => {
    const t = io();
    expect(await runCli(["diagnose", "deploy/api", "-n", "shop"], {}, t.io, wiring)).toBe(EXIT.ok);
    const text = t.out.join("\n");
    expect(text).toMatch(/^CRITICAL: api-7d9c8f6b5d-x2x9q\/api was OOMKilled at 2026-09-21 14:01 UTC/);
    expect(text).toMatch(new RegExp(`${SHOP.killed}/api\\s+4\\s+OOMKilled\\s+137`));
    expect(text).toContain("Next steps");
  });

  it("--format json and blocks are machine-readable", async () => {
    const j = io();
    expect(await runCli(["diagnose", "deploy/api", "-n", "shop", "--format", "json"], {}, j.io, wiring)).toBe(EXIT.ok);
    expect(JSON.parse(j.out.join(""))).toMatchObject({
      runbook: { id: "oomkilled" },
      target: { kind: "deployment", name: "api", pods: 3 },
      verdict: { severity: "critical" },
    });
    const b = io();
    expect(await runCli(["diagnose", "deploy/api", "-n", "shop", "--format=blocks"], {}, b.io, wiring)).toBe(EXIT.ok);
    const messages = JSON.parse(b.out.join("")) as { blocks: unknown[] }[];
    for (const m of messages) expect(validateBlocks(m.blocks)).toBeNull();
  });

  it("exit codes: 2 for bad arguments or configuration, 1 when the diagnosis cannot run", async () => {
    const bad = io();
    expect(await runCli(["diagnose", "deploy/API"], {}, bad.io, wiring)).toBe(EXIT.usage);
    expect(bad.err.join("")).toContain('deployment name "API" is not valid');
    expect(await runCli(["diagnose", "deploy/api", "--format", "xml"], {}, io().io, wiring)).toBe(EXIT.usage);
    expect(await runCli(["diagnose", "deploy/api"], { PROMETHEUS_URL: "nope" }, io().io, wiring)).toBe(EXIT.usage);
    const missing = io();
    expect(await runCli(["diagnose", "deploy/web", "-n", "shop"], {}, missing.io, wiring)).toBe(EXIT.failure);
    expect(missing.err.join("")).toBe('memops diagnose: deployment "web" not found in namespace "shop"');
    expect(await runCli(["frobnicate"], {}, io().io, wiring)).toBe(EXIT.usage);
    expect(await runCli([], {}, io().io, wiring)).toBe(EXIT.usage);
  });

  it("serve refuses to start with bad configuration and names every problem", async () => {
    const t = io();
    expect(await runCli(["serve"], { PORT: "0x50" }, t.io, wiring)).toBe(EXIT.usage);
    expect(t.err.join("\n")).toMatch(/PORT: .*\n.*SLACK_BOT_TOKEN: required/s);
  });

  it("validate checks runbooks and configuration", async () => {
    const t = io();
    expect(
      await runCli(["validate"], { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "0123456789abcdef" }, t.io, wiring),
    ).toBe(EXIT.ok);
    expect(t.out[0]).toBe(
      "ok: 3 runbooks (high-memory, oomkilled, operator-memory); configuration valid; no policy (remediations off)",
    );
    expect(
      await runCli(
        ["validate"],
        { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "0123456789abcdef", MEMOPS_RUNBOOKS_DIR: "/nonexistent" },
        io().io,
        wiring,
      ),
    ).toBe(EXIT.usage);
  });

  it("audit verify is green on an intact log and red, naming the entry, after tampering; export writes JSON lines", async () => {
    const store = await wiring.openStore({} as never);
    for (let i = 1; i <= 4; i++)
      await store.appendAudit({
        at: NOW + i,
        kind: "command",
        slackUser: "U0ALICE",
        kubernetesIdentity: null,
        target: null,
        what: `/mem help #${i}`,
        outcome: "answered",
        details: {},
      });
    await store.close();
    const ok = io();
    expect(await runCli(["audit", "verify"], {}, ok.io, wiring)).toBe(EXIT.ok);
    expect(ok.out[0]?.split("\n")[0]).toMatch(
      /^audit log intact: 4 entries; last #4 at 2026-09-21T14:13:24.000Z, hash …[0-9a-f]{16}$/,
    );
    const exported = io();
    expect(await runCli(["audit", "export", "--jsonl"], {}, exported.io, wiring)).toBe(EXIT.ok);
    expect(exported.out.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
    const raw = new DatabaseSync(join(dbDir, "memops.db"));
    raw.prepare("UPDATE audit SET entry = replace(entry, '#2', '#9') WHERE seq = 2").run();
    raw.close();
    const bad = io();
    expect(await runCli(["audit", "verify"], {}, bad.io, wiring)).toBe(EXIT.failure);
    expect(bad.err[0]).toBe(
      "memops audit: the audit log is broken at entry 2: entry 2 does not match its hash: edited",
    );
    expect(await runCli(["audit", "frobnicate"], {}, io().io, wiring)).toBe(EXIT.usage);
  });

  it("audit verify --witness-file: the log stream's witnessed heads show entries cut off the end", async () => {
    const dir = mkdtempSync(join(tmpdir(), "memops-witness-"));
    const own: Wiring = { ...wiring, openStore: () => new SqliteStore(join(dir, "memops.db")) };
    const store = await own.openStore({} as never);
    const start = 0;
    let last = { seq: 0, hash: "" };
    for (let i = 1; i <= 3; i++)
      last = await store.appendAudit({
        at: NOW + 100 + i,
        kind: "mutation",
        slackUser: "U0BOB",
        kubernetesIdentity: null,
        target: null,
        what: `patch #${i}`,
        outcome: "ok",
        details: {},
      });
    await store.close();
    const witnessFile = join(dir, "memops.log");
    writeFileSync(
      witnessFile,
      [
        JSON.stringify({ level: 30, msg: "audit head", auditHead: { seq: last.seq, hash: last.hash } }),
        JSON.stringify({ level: 30, msg: "something else" }),
        "",
      ].join("\n"),
    );
    const raw = new DatabaseSync(join(dir, "memops.db"));
    raw.prepare("DELETE FROM audit WHERE seq = ?").run(start + 3);
    const kept = raw.prepare("SELECT seq, hash FROM audit WHERE seq = ?").get(start + 2) as {
      seq: number;
      hash: string;
    };
    raw.prepare("UPDATE audit_head SET seq = ?, hash = ?").run(kept.seq, kept.hash);
    raw.close();
    const cut = io();
    expect(await runCli(["audit", "verify", "--witness-file", witnessFile], {}, cut.io, own)).toBe(EXIT.failure);
    expect(cut.err[0]).toContain(`entry ${start + 3} was witnessed`);
    expect(cut.err[0]).toContain(`the log ends at entry ${start + 2}: entries were deleted`);
    const bad = io();
    expect(await runCli(["audit", "verify", "--witness", "12:nothex"], {}, bad.io, own)).toBe(EXIT.usage);
    expect(bad.err.join("\n")).toContain('--witness: "12:nothex" is not SEQ:HASH');
  });

  it("incident export writes the post-incident document; an unknown id is a runtime failure", async () => {
    const store = await wiring.openStore({} as never);
    await store.createIncident({
      id: "inc-1",
      subject: { kind: "deployment", name: "api", namespace: "shop" },
      channel: "C1",
      threadTs: "1.0",
      status: "resolved",
      openedAt: NOW,
      resolvedAt: NOW + 3600,
    });
    await store.appendAudit({
      at: NOW + 5,
      kind: "diagnosis",
      slackUser: null,
      kubernetesIdentity: null,
      target: { kind: "deployment", name: "api", namespace: "shop" },
      what: "oomkilled on deploy/api",
      outcome: "api-1/api was OOMKilled 2m ago (3 restarts)",
      details: {
        incident: "inc-1",
        points: ["api-1/api was OOMKilled 2m ago (3 restarts)"],
        classification: "oom-cycle",
        runbook: "oomkilled",
      },
    });
    await store.close();
    const t = io();
    expect(await runCli(["incident", "export", "inc-1", "--markdown"], {}, t.io, wiring)).toBe(EXIT.ok);
    expect(t.out[0]).toContain(
      "# Memory incident: deployment/api -n shop\n\n**api-1/api was OOMKilled 2m ago (3 restarts)**\n\nCategory: OOM-kill cycle (limit below peak usage)",
    );
    expect(t.out[0]).toContain("- opened 2026-09-21T14:13:20Z, resolved 2026-09-21T15:13:20Z (1h)");
    expect(await runCli(["incident", "export", "nope", "--markdown"], {}, io().io, wiring)).toBe(EXIT.failure);
    expect(await runCli(["incident", "export", "inc-1"], {}, io().io, wiring)).toBe(EXIT.usage);
  });

  it("every command has --help", async () => {
    for (const c of ["serve", "playground", "diagnose", "validate", "schema", "audit", "incident", "analyze"]) {
      const t = io();
      expect(await runCli([c, "--help"], {}, t.io, wiring)).toBe(EXIT.ok);
      expect(t.out[0]).toMatch(new RegExp(`^Usage: memops ${c}`));
    }
  });

  it("playground takes a port, a verification window and a real cluster; bad flags change nothing", async () => {
    const t = io();
    expect(await runCli(["playground", "--port", "0", "--verify-window", "5s"], {}, t.io, wiring)).toBe(EXIT.ok);
    expect(playgroundCalls.at(-1)).toEqual({ port: 0, verifyWindowSeconds: 5 });
    const before = playgroundCalls.length;
    for (const [args, why] of [
      [["--port", "http"], '--port: "http" is not a port number'],
      [["--verify-window", "soon"], '--verify-window: "soon" is not a duration'],
      [["--prometheus", "http://prom:9090"], "--prometheus needs --kubeconfig"],
      [["--kubeconfig", "k", "--prometheus", "prom:9090"], '--prometheus: "prom:9090" is not an http(s) URL'],
      [["extra"], 'unexpected argument "extra"'],
    ] as const) {
      const b = io();
      expect(await runCli(["playground", ...args], {}, b.io, wiring)).toBe(EXIT.usage);
      expect(b.err.join("\n")).toContain(why);
    }
    expect(playgroundCalls).toHaveLength(before);
  });

  it("every flag goes through one parser and every variable through loadConfig: a clear usage error, not a crash", async () => {
    const schema = io();
    expect(await runCli(["schema", "--bogus"], {}, schema.io, wiring)).toBe(EXIT.usage);
    expect(schema.err.join("\n")).toMatch(/^memops schema: unknown option --bogus\n\nUsage: memops schema/);
    const level = io();
    const before = playgroundCalls.length;
    expect(await runCli(["playground"], { LOG_LEVEL: "bogus" }, level.io, wiring)).toBe(EXIT.usage);
    expect(level.err.join("\n")).toContain("LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent");
    expect(playgroundCalls).toHaveLength(before);
    const typo = io();
    expect(await runCli(["diagnsoe", "deploy/api"], {}, typo.io, wiring)).toBe(EXIT.usage);
    expect(typo.err[0]).toMatch(/^memops: unknown command "diagnsoe" \(did you mean diagnose\?\)/);
    const extra = io();
    expect(await runCli(["validate", "now"], {}, extra.io, wiring)).toBe(EXIT.usage);
    expect(extra.err[0]).toContain('memops validate: unexpected argument "now"');
  });
});
