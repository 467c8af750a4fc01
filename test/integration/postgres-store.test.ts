import { afterAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { keyring } from "../../src/core/audit-key.ts";
import { chain, verifyChain } from "../../src/core/audit.ts";
import { auditJson } from "../../src/store/rows.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { killDuringWrites } from "../support/kill-during-writes.ts";
import { DATABASE_URL, freshSchema } from "../support/postgres.ts";
import { storeContract } from "../support/store-contract.ts";

const env = inject("integration");
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

async function schema(): Promise<string> {
  const s = await freshSchema();
  drops.push(() => s.drop());
  return s.schema;
}

describe.skipIf(!!env.skipped)("PostgreSQL store (the machine's server, a schema per test)", () => {
  storeContract("PostgreSQL", async () => new PostgresStore(DATABASE_URL, { schema: await schema() }));

  it("two stores on one database (two replicas) append one unbroken audit chain", async () => {
    const name = await schema();
    const [a, b] = [
      new PostgresStore(DATABASE_URL, { schema: name }),
      new PostgresStore(DATABASE_URL, { schema: name }),
    ];
    const ev = (i: number) => ({
      at: i,
      kind: "command" as const,
      slackUser: "U1",
      kubernetesIdentity: null,
      target: null,
      what: `#${i}`,
      outcome: "ok",
      details: {},
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).appendAudit(ev(i))));
    expect(verifyChain(await a.auditEntries())).toEqual({ ok: true, entries: 40 });
    await a.close();
    await b.close();
  });

  it("keyed on PostgreSQL too: `at` set to 0 on one row, or a row re-chained without the key, is found", async () => {
    const name = await schema();
    const keys = keyring("postgres-tier-audit-key-0123456789abcdef");
    const store = new PostgresStore(DATABASE_URL, { schema: name, auditKey: keys.current });
    for (let i = 1; i <= 10; i++)
      await store.appendAudit({
        at: 1_790_000_000 + i,
        kind: "mutation",
        slackUser: "U1",
        kubernetesIdentity: null,
        target: { kind: "deployment", name: "api", namespace: "shop" },
        what: `#${i}`,
        outcome: "ok",
        details: {},
      });
    const verify = async () => verifyChain(await store.auditEntries(), await store.auditHead(), { keys });
    expect(await verify()).toEqual({ ok: true, entries: 10 });
    const raw = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${name}` });
    await raw.connect();
    try {
      await raw.query("UPDATE audit SET at = 0 WHERE seq = 4");
      expect(await verify()).toMatchObject({ ok: false, seq: 4, reason: "entry 4 does not match its hash: edited" });
      await raw.query("UPDATE audit SET at = $1 WHERE seq = 4", [1_790_000_004]);
      const e7 = (await store.auditEntries()).find((e) => e.seq === 7)!;
      const forged = chain({ seq: 6, hash: e7.prevHash }, { ...e7, what: "nothing" });
      await raw.query("UPDATE audit SET entry = $1, hash = $2 WHERE seq = 7", [auditJson(forged), forged.hash]);
      expect(await verify()).toMatchObject({ ok: false, seq: 7, reason: expect.stringContaining("not keyed") });
    } finally {
      await raw.end();
      await store.close();
    }
  });

  it("SIGKILL during a burst of writes loses no acknowledged entry, and the chain still verifies", async () => {
    const name = await schema();
    const acked = await killDuringWrites(["postgres", DATABASE_URL, name], 200);
    const store = new PostgresStore(DATABASE_URL, { schema: name });
    const entries = await store.auditEntries();
    await store.close();
    expect(entries.length).toBeGreaterThanOrEqual(acked);
    expect(verifyChain(entries)).toEqual({ ok: true, entries: entries.length });
  }, 30_000);
});
