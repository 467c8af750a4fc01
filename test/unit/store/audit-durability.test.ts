import { DatabaseSync } from "node:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyChain } from "../../../src/core/audit.ts";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import { killDuringWrites } from "../../support/kill-during-writes.ts";

const fresh = () => join(mkdtempSync(join(tmpdir(), "memops-audit-")), "memops.db");

describe("audit log on SQLite", () => {
  it("SIGKILL during a burst of writes loses no acknowledged entry, and the chain still verifies", async () => {
    const file = fresh();
    const acked = await killDuringWrites(["sqlite", file]);
    const store = new SqliteStore(file);
    const entries = await store.auditEntries();
    await store.close();
    expect(entries.length).toBeGreaterThanOrEqual(acked);
    expect(verifyChain(entries)).toEqual({ ok: true, entries: entries.length });
  }, 30_000);

  it("deleting the newest entry is found through the head recorded with each append", async () => {
    const file = fresh();
    const store = new SqliteStore(file);
    for (let i = 1; i <= 3; i++)
      await store.appendAudit({
        at: i,
        kind: "command",
        slackUser: "U0ALICE",
        kubernetesIdentity: null,
        target: null,
        what: `#${i}`,
        outcome: "ok",
        details: {},
      });
    expect(verifyChain(await store.auditEntries(), await store.auditHead())).toEqual({ ok: true, entries: 3 });
    const raw = new DatabaseSync(file);
    raw.prepare("DELETE FROM audit WHERE seq = 3").run();
    raw.close();
    expect(verifyChain(await store.auditEntries())).toEqual({ ok: true, entries: 2 }); // the chain alone cannot see it
    expect(verifyChain(await store.auditEntries(), await store.auditHead())).toEqual({
      ok: false,
      seq: 3,
      reason: "the log ends at entry 2, but entry 3 was written: entries were deleted from the end",
    });
    await store.close();
  });

  it("an edited, deleted or reordered row is found, and named", async () => {
    const file = fresh();
    const store = new SqliteStore(file);
    for (let i = 1; i <= 6; i++)
      await store.appendAudit({
        at: i,
        kind: "approval",
        slackUser: "U0BOB",
        kubernetesIdentity: "bob@example.com",
        target: { kind: "deployment", name: "api", namespace: "shop" },
        what: `approve #${i}`,
        outcome: "ok",
        details: {},
      });
    const raw = new DatabaseSync(file);
    const check = async () => verifyChain(await store.auditEntries());
    expect(await check()).toEqual({ ok: true, entries: 6 });

    raw
      .prepare('UPDATE audit SET entry = replace(entry, \'"outcome":"ok"\', \'"outcome":"refused"\') WHERE seq = 3')
      .run();
    expect(await check()).toEqual({ ok: false, seq: 3, reason: "entry 3 does not match its hash: edited" });
    raw
      .prepare('UPDATE audit SET entry = replace(entry, \'"outcome":"refused"\', \'"outcome":"ok"\') WHERE seq = 3')
      .run();
    expect(await check()).toMatchObject({ ok: true });

    raw.exec(
      "UPDATE audit SET seq = -5 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -5;",
    );
    expect(await check()).toMatchObject({ ok: false, seq: 4 });
    raw.exec(
      "UPDATE audit SET seq = -5 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -5;",
    );

    raw.prepare("DELETE FROM audit WHERE seq = 2").run();
    expect(await check()).toEqual({ ok: false, seq: 3, reason: "entry 2 is missing (entry 1 is followed by 3)" });

    raw.close();
    await store.close();
  });
});
