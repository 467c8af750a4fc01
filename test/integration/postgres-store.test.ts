import { afterAll, describe, expect, inject, it } from "vitest";
import { verifyChain } from "../../src/core/audit.ts";
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
