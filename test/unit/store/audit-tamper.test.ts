import { mkdtempSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keyring } from "../../../src/core/audit-key.ts";
import { type AuditEntry, chain, verifyChain, type WitnessedHead } from "../../../src/core/audit.ts";
import { auditJson } from "../../../src/store/rows.ts";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";

const NOW = 1_790_000_000;
const KEYS = keyring("a-key-from-a-kubernetes-secret-0123456789");

/** A keyed log of `n` entries, the heads witnessed after every 10th (as the log stream would hold them). */
async function keyedLog(n: number) {
  const file = join(mkdtempSync(join(tmpdir(), "memops-tamper-")), "memops.db");
  const store = new SqliteStore(file, { auditKey: KEYS.current });
  const witnesses: WitnessedHead[] = [];
  for (let i = 1; i <= n; i++) {
    const e = await store.appendAudit({
      at: NOW + i,
      kind: i % 7 === 0 ? "mutation" : "command",
      slackUser: "U0BOB",
      kubernetesIdentity: null,
      target: { kind: "deployment", name: "api", namespace: "shop" },
      what: `action #${i}`,
      outcome: "ok",
      details: { i },
    });
    if (i % 10 === 0 || i === n) witnesses.push({ seq: e.seq, hash: e.hash });
  }
  const verify = async (w: readonly WitnessedHead[] = witnesses) =>
    verifyChain(await store.auditEntries(), await store.auditHead(), { keys: KEYS, witnesses: w });
  return { store, raw: new DatabaseSync(file), witnesses, verify };
}

/** What a database-only attacker can do: SQL, and the project's own chain() — but not the key. */
function rechain(raw: DatabaseSync, fromSeq: number, entries: AuditEntry[], key: Parameters<typeof chain>[2] = null) {
  let prev = entries.find((e) => e.seq === fromSeq - 1) ?? null;
  for (const e of entries.filter((x) => x.seq >= fromSeq)) {
    const next = chain(prev, e, key);
    raw
      .prepare("UPDATE audit SET entry = ?, prev_hash = ?, hash = ? WHERE seq = ?")
      .run(auditJson(next), next.prevHash, next.hash, next.seq);
    prev = next;
  }
  if (prev) raw.prepare("UPDATE audit_head SET seq = ?, hash = ?").run(prev.seq, prev.hash);
}

describe("the audit log against someone who can write its database (but holds no key and cannot edit the log stream)", () => {
  it("an intact keyed log verifies against its witnesses", async () => {
    const { verify } = await keyedLog(120);
    expect(await verify()).toEqual({ ok: true, entries: 120 });
  });

  it.each([1, 100])("deleting the last %i entries and moving audit_head is found by the witnessed head", async (n) => {
    const { raw, verify } = await keyedLog(120);
    raw.prepare("DELETE FROM audit WHERE seq > ?").run(120 - n);
    const last = raw.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as {
      seq: number;
      hash: string;
    };
    raw.prepare("UPDATE audit_head SET seq = ?, hash = ?").run(last.seq, last.hash);
    expect(await verify([])).toEqual({ ok: true, entries: 120 - n }); // the database alone cannot show it
    expect(await verify()).toMatchObject({
      ok: false,
      seq: 120,
      reason: expect.stringContaining(`the log ends at entry ${120 - n}: entries were deleted`),
    });
  });

  it("editing one entry and re-chaining every entry after it with chain() is found: the rows are no longer keyed", async () => {
    const { store, raw, verify } = await keyedLog(120);
    const entries = await store.auditEntries();
    entries[49] = { ...entries[49]!, what: "nothing happened here" };
    rechain(raw, 50, entries);
    expect(await verify([])).toMatchObject({
      ok: false,
      seq: 50,
      reason: "entry 50 is not keyed but follows keyed entries: rewritten by someone without the key",
    });
  });

  it("re-chaining with a key of the attacker's own is found: a key memops does not hold", async () => {
    const { store, raw, verify } = await keyedLog(30);
    const entries = await store.auditEntries();
    rechain(raw, 1, entries, keyring("the-attackers-own-key-0123456789abcdef").current);
    expect(await verify([])).toMatchObject({
      ok: false,
      seq: 1,
      reason: expect.stringContaining("which is not configured"),
    });
  });

  it("re-chaining under memops's key fingerprint without the key is found: the HMAC does not match", async () => {
    const { store, raw, verify } = await keyedLog(30);
    const entries = await store.auditEntries();
    const forged = { id: KEYS.current!.id, secret: "guessed-wrong-secret-0123456789abcdef" };
    rechain(raw, 5, entries, forged);
    expect(await verify([])).toMatchObject({ ok: false, seq: 5, reason: "entry 5 does not match its hash: edited" });
  });

  it("deleting everything is found by the witnesses", async () => {
    const { raw, verify } = await keyedLog(40);
    raw.exec("DELETE FROM audit; DELETE FROM audit_head;");
    expect(await verify([])).toEqual({ ok: true, entries: 0 });
    expect(await verify()).toMatchObject({ ok: false, seq: 40 });
  });

  it("setting `at` = 0 on one row (to hide it from --since) is found: the hash covers the columns filters use", async () => {
    const { store, raw, verify } = await keyedLog(30);
    raw.prepare("UPDATE audit SET at = 0 WHERE seq = 12").run();
    expect(await verify([])).toMatchObject({ ok: false, seq: 12, reason: "entry 12 does not match its hash: edited" });
    raw.prepare("UPDATE audit SET at = ? WHERE seq = 12").run(NOW + 12);
    raw.prepare("UPDATE audit SET target = 'deployment/other -n shop' WHERE seq = 13").run();
    expect(await verify([])).toMatchObject({ ok: false, seq: 13 });
    expect(
      (await store.auditEntries({ target: { kind: "deployment", name: "other", namespace: "shop" } })).length,
    ).toBe(1);
  });

  it("a rotated key still verifies the entries written under it; new ones use the new key", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "memops-rotate-")), "memops.db");
    const oldKey = "the-old-key-0123456789abcdef0123456789";
    const newKey = "the-new-key-0123456789abcdef0123456789";
    const event = (i: number) => ({
      at: NOW + i,
      kind: "command" as const,
      slackUser: null,
      kubernetesIdentity: null,
      target: null,
      what: `#${i}`,
      outcome: "ok",
      details: {},
    });
    const before = new SqliteStore(file); // written before any key was set
    await before.appendAudit(event(1));
    await before.close();
    const a = new SqliteStore(file, { auditKey: keyring(oldKey).current });
    await a.appendAudit(event(2));
    await a.close();
    const b = new SqliteStore(file, { auditKey: keyring(newKey).current });
    await b.appendAudit(event(3));
    const entries = await b.auditEntries();
    expect(entries.map((e) => e.hash.split(":").slice(0, 2).join(":"))).toEqual([
      expect.stringMatching(/^[0-9a-f]{64}$/),
      `hmac-sha256:${keyring(oldKey).current!.id}`,
      `hmac-sha256:${keyring(newKey).current!.id}`,
    ]);
    expect(verifyChain(entries, await b.auditHead(), { keys: keyring(newKey, [oldKey]) })).toEqual({
      ok: true,
      entries: 3,
    });
    expect(verifyChain(entries, await b.auditHead(), { keys: keyring(newKey) })).toMatchObject({ ok: false, seq: 2 });
    await b.close();
  });
});
