import { describe, expect, it } from "vitest";
import { type AuditEntry, type AuditEvent, canonical, chain, GENESIS, verifyChain } from "../../../src/core/audit.ts";
import { NOW } from "../../support/fixtures.ts";

const event = (i: number): AuditEvent => ({
  at: NOW + i,
  kind: "command",
  slackUser: "U0ALICE",
  kubernetesIdentity: null,
  target: { kind: "deployment", name: "api", namespace: "shop" },
  what: `/mem diagnose deploy/api #${i}`,
  outcome: "ok",
  details: { i, nested: { b: 2, a: 1 } },
});
function log(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(chain(out.at(-1) ?? null, event(i)));
  return out;
}

describe("audit hash chain", () => {
  it("canonical JSON sorts keys at every level", () => {
    expect(canonical({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}',
    );
  });

  it("links every entry to the one before", () => {
    const l = log(3);
    expect(l.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(l[0]?.prevHash).toBe(GENESIS);
    expect(l[1]?.prevHash).toBe(l[0]?.hash);
    expect(verifyChain(l)).toEqual({ ok: true, entries: 3 });
  });

  it("with the recorded head, a cut-off end or a replaced last entry is found", () => {
    const l = log(4);
    const head = { seq: 4, hash: l[3]!.hash };
    expect(verifyChain(l, head)).toEqual({ ok: true, entries: 4 });
    expect(verifyChain(l.slice(0, 3), head)).toEqual({
      ok: false,
      seq: 4,
      reason: "the log ends at entry 3, but entry 4 was written: entries were deleted from the end",
    });
    expect(verifyChain(l, { seq: 4, hash: "f".repeat(64) })).toEqual({
      ok: false,
      seq: 4,
      reason: "entry 4 is not the entry recorded as the head: replaced",
    });
    expect(verifyChain([], null)).toEqual({ ok: true, entries: 0 });
  });

  it("names the first edited, deleted or reordered entry", () => {
    const edited = log(5);
    edited[2] = { ...edited[2]!, outcome: "refused: nothing to see" };
    expect(verifyChain(edited)).toEqual({ ok: false, seq: 3, reason: "entry 3 does not match its hash: edited" });
    const deleted = log(5).filter((e) => e.seq !== 4);
    expect(verifyChain(deleted)).toEqual({
      ok: false,
      seq: 5,
      reason: "entry 4 is missing (entry 3 is followed by 5)",
    });
    const l = log(5);
    const reordered = [l[0]!, { ...l[2]!, seq: 2 }, { ...l[1]!, seq: 3 }, l[3]!, l[4]!];
    expect(verifyChain(reordered)).toMatchObject({ ok: false, seq: 2 });
    const truncatedHead = log(5).slice(1);
    expect(verifyChain(truncatedHead)).toMatchObject({ ok: false, seq: 2 });
  });
});
