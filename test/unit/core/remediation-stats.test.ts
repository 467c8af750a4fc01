import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../src/core/audit.ts";
import { remediationStats } from "../../../src/core/remediation-stats.ts";

const api = { kind: "deployment" as const, name: "api", namespace: "shop" };
const cart = { kind: "deployment" as const, name: "cart", namespace: "shop" };
let seq = 0;
const e = (
  at: number,
  kind: AuditEntry["kind"],
  outcome: string,
  details: Record<string, unknown>,
  target = api,
): AuditEntry => ({
  seq: ++seq,
  at,
  kind,
  slackUser: null,
  kubernetesIdentity: null,
  target,
  what: "",
  outcome,
  details,
  prevHash: "",
  hash: "",
});

describe("remediation stats from the audit log", () => {
  it("counts executions per action, held by the latest look, and the median time from the first warning to the verified fix", () => {
    const entries = [
      e(1000, "watch", "warning", { channel: "C1" }),
      e(1600, "mutation", "ok: rolled", { proposal: "p1", action: "restart" }),
      e(1900, "verification", "verified", { proposal: "p1" }),
      e(90_000, "verification", "held after 1d", { proposal: "p1", afterSeconds: 86_400, held: true }),
      e(2000, "alert", "diagnosing", {}, cart),
      e(5000, "mutation", "ok: patched", { proposal: "p2", action: "raise-limit" }, cart),
      e(5300, "verification", "verified", { proposal: "p2" }, cart),
      // verified at first, but the week-later look says it did not hold
      e(610_000, "verification", "did not hold after 7d", { proposal: "p2", afterSeconds: 604_800, held: false }, cart),
      e(7000, "mutation", "ok: rolled", { proposal: "p3", action: "restart" }),
      e(8000, "mutation", "failed: forbidden", { proposal: "p4", action: "restart" }),
      e(9000, "mutation", "ok: rolled", { proposal: "p5", action: "restart", dryRun: true }),
    ];
    const s = remediationStats(entries);
    expect(s.actions).toEqual([
      { action: "restart", executed: 2, held: 1, failed: 0, pending: 1 },
      { action: "raise-limit", executed: 1, held: 0, failed: 1, pending: 0 },
    ]);
    // api: warned at 1000, verified at 1900 → 900 s; cart: alert at 2000, verified at 5300 → 3300 s
    expect(s).toMatchObject({ medianToFix: 2100, fixesTimed: 2 });
  });

  it("nothing executed, nothing timed", () => {
    expect(remediationStats([])).toEqual({ actions: [], medianToFix: null, fixesTimed: 0 });
  });
});
