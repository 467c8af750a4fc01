import { describe, expect, it } from "vitest";
import { classify } from "../../../../src/core/classify.ts";
import type { TrendRow } from "../../../../src/core/findings.ts";
import { MiB } from "../../../../src/core/quantity.ts";
import { parsePolicy } from "../../../../src/core/remediation/policy.ts";
import { candidatesOf, prefilterQuery } from "../../../../src/core/watch/prefilter-query.ts";
import { describeMute, mutedBy } from "../../../../src/core/watch/mutes.ts";
import { judgeWorkload } from "../../../../src/core/watch/warning.ts";
import { watchChannel } from "../../../../src/core/watch/watch-config.ts";
import { NOW, series } from "../../../support/fixtures.ts";

const H = 3600;
const rule = { namespaces: ["shop"], actions: ["restart"], request: ["*"], approve: ["S0SRE"] };

describe("the watch: section of the policy file", () => {
  it("defaults every threshold; absent, there is no watch", () => {
    const p = parsePolicy({
      rules: [rule],
      watch: { targets: [{ namespaces: ["shop", "pay-*"], channel: "C0SHOP" }] },
    });
    expect(p.ok && p.value.watch).toMatchObject({
      every: 300,
      horizon: 6 * H,
      window: 24 * H,
      minShare: 0.5,
      minGrowthPerHour: MiB,
      minConfidence: 0.7,
      dailyCap: 10,
      digestEvery: 7 * 24 * H,
    });
    expect(p.ok && watchChannel(p.value.watch!, "pay-eu")).toBe("C0SHOP");
    expect(p.ok && watchChannel(p.value.watch!, "billing")).toBeNull();
    const none = parsePolicy({ rules: [rule] });
    expect(none.ok && none.value.watch).toBeUndefined();
  });

  it("refuses bad values, naming the field", () => {
    const p = parsePolicy({
      rules: [rule],
      watch: { every: "10s", horizon: "soon", minShare: 1.5, targets: [{ namespaces: ["Shop"], channel: "general" }] },
    });
    expect(p.ok).toBe(false);
    const errors = p.ok ? [] : p.error;
    expect(errors).toContain("watch.every: at least 1 minutes");
    expect(errors).toContain("watch.horizon: a duration such as 6h");
    expect(errors.some((e) => e.startsWith("watch.minShare:"))).toBe(true);
    expect(errors).toContain("watch.targets.0.namespaces.0: a namespace, a prefix ending in *, or *");
    expect(errors.some((e) => e.startsWith("watch.targets.0.channel:"))).toBe(true);
  });
});

describe("watch targets by label selector", () => {
  it("a target picks pods by namespace and labels; one with only a selector watches every namespace", () => {
    const p = parsePolicy({
      rules: [rule],
      watch: {
        targets: [
          { namespaces: ["shop"], selector: "tier in (web,api)", channel: "C0WEB" },
          { selector: "team=payments", channel: "C0PAY" },
        ],
      },
    });
    expect(p.ok).toBe(true);
    const w = p.ok ? p.value.watch! : undefined!;
    expect(w.targets[1]).toEqual({ namespaces: ["*"], selector: "team=payments", channel: "C0PAY" });
    expect(watchChannel(w, "shop", { tier: "web" })).toBe("C0WEB");
    expect(watchChannel(w, "shop", { tier: "batch" })).toBeNull();
    expect(watchChannel(w, "billing", { team: "payments", tier: "web" })).toBe("C0PAY");
    expect(watchChannel(w, "billing", {})).toBeNull();
  });

  it("refuses a malformed selector with the API server's reason, and a target that names neither", () => {
    const p = parsePolicy({
      rules: [rule],
      watch: { targets: [{ selector: "app in prod", channel: "C0WEB" }, { channel: "C0PAY" }] },
    });
    expect(p.ok).toBe(false);
    const errors = p.ok ? [] : p.error;
    expect(errors).toContain(
      'watch.targets.0.selector: "app in prod" is not a label selector requirement (examples: app=api, tier!=db, env in (prod,stage))',
    );
    expect(errors).toContain("watch.targets.1: name namespaces, a label selector, or both");
  });
});

describe("the prefilter query", () => {
  it("is one query over the watched namespaces: at 90% of the limit now, or a trend reaching it within the horizon above the floor", () => {
    const q = prefilterQuery({ namespaces: ["shop", "pay-*"], horizonSeconds: 6 * H, minShare: 0.5 });
    expect(q).toContain('namespace=~"shop|pay-.*"');
    expect(q).toContain("predict_linear(container_memory_working_set_bytes{");
    expect(q).toContain("[1h], 21600)");
    expect(q).toMatch(/>= 0\.9\) or \(\(.* >= 1\) and on \(namespace, pod, container\) \(.* >= 0\.5\)\) or /);
    expect(q).toContain(
      'kube_pod_container_status_last_terminated_reason{reason="OOMKilled",namespace=~"shop|pay-.*"}',
    );
    expect(prefilterQuery({ namespaces: ["*"], horizonSeconds: 60, minShare: 0.5 })).toContain('namespace=~".+"');
  });

  it("reads each container once from the answer", () => {
    const l = { namespace: "shop", pod: "api-1", container: "api" };
    expect(candidatesOf([{ labels: l }, { labels: l }, { labels: { namespace: "shop" } }])).toEqual([l]);
  });
});

describe("whether the watch speaks", () => {
  const floors = { horizon: 6 * H, minShare: 0.5, minGrowthPerHour: MiB, minConfidence: 0.7 };
  const row = (ws: (t: number) => number, limit: number, over: { oomAt?: number[] } = {}): TrendRow => {
    const s = series(12 * H, 60, ws, 3 * MiB, 5);
    return {
      pod: "checkout-7d9-x1",
      container: "app",
      workload: "deployment/checkout",
      limitBytes: limit,
      requestBytes: limit / 2,
      limits: [],
      series: s,
      analysis: classify({ series: s, limitBytes: limit, oomAt: over.oomAt, now: NOW }),
    };
  };

  it("a leak that reaches its limit within the horizon: a warning with when, and the range", () => {
    const v = judgeWorkload([row((t) => 400 * MiB + (40 * MiB * t) / H, 1024 * MiB)], floors);
    expect(v.kind).toBe("warning");
    expect(v.kind === "warning" && v.text).toMatch(
      /^deploy\/checkout \(container app\) will reach its 1Gi limit in ~\dh( \d+m)? \([^)]+–[^)]+\): it looks like a leak$/,
    );
  });

  it("a limit too low: a warning that the next burst is an OOM kill", () => {
    const v = judgeWorkload([row(() => 0.96 * 512 * MiB, 512 * MiB)], floors);
    expect(v.kind === "warning" && v.text).toMatch(/sits at 9\d% of its 512Mi limit with no room left/);
  });

  it("quiet for a plateau, a flat container, a slow leak beyond the horizon, and growth from a low base", () => {
    const plateau = row((t) => 300 * MiB + 300 * MiB * (1 - Math.exp(-t / (1.5 * H))), 1024 * MiB);
    const flat = row(() => 200 * MiB, 1024 * MiB);
    const far = row((t) => 500 * MiB + (5 * MiB * t) / H, 1024 * MiB);
    const low = row((t) => 50 * MiB + (40 * MiB * t) / H, 4096 * MiB);
    for (const r of [plateau, flat, far, low]) expect(judgeWorkload([r], floors).kind).toBe("quiet");
    expect(judgeWorkload([low], floors)).toMatchObject({ reason: expect.stringMatching(/under the floor/) });
  });

  it("an OOM cycle in progress is an incident, not a warning", () => {
    const cycle = 2 * H;
    const kills = Array.from({ length: 5 }, (_, k) => NOW - 12 * H + (k + 1) * cycle);
    const v = judgeWorkload(
      [row((t) => 150 * MiB + ((t % cycle) / cycle) * 370 * MiB, 512 * MiB, { oomAt: kills })],
      floors,
    );
    expect(v.kind).toBe("incident");
  });
});

describe("snooze and not a problem", () => {
  const subject = { kind: "deployment" as const, name: "checkout", namespace: "shop" };
  const base = { subject, channel: "C0SHOP", by: "U0ALICE", why: "", at: NOW, until: null, generation: null };
  it("a snooze until its time, until-rollout until the generation moves, not-a-problem for good, per channel", () => {
    const snooze = { ...base, kind: "snooze" as const, until: NOW + 3600 };
    expect(mutedBy([snooze], subject, "C0SHOP", NOW + 3599, null)).toBe(snooze);
    expect(mutedBy([snooze], subject, "C0SHOP", NOW + 3600, null)).toBeNull();
    expect(mutedBy([snooze], subject, "C0OTHER", NOW, null)).toBeNull();
    const rollout = { ...base, kind: "until-rollout" as const, generation: 4 };
    expect(mutedBy([rollout], subject, "C0SHOP", NOW + 86_400, 4)).toBe(rollout);
    expect(mutedBy([rollout], subject, "C0SHOP", NOW, 5)).toBeNull();
    const nap = { ...base, kind: "not-a-problem" as const, why: "a cache that fills by design" };
    expect(mutedBy([nap], subject, "C0SHOP", NOW + 365 * 86_400, null)).toBe(nap);
    expect(describeMute(nap)).toBe('marked "not a problem" by <@U0ALICE>: a cache that fills by design');
    expect(mutedBy([nap], { ...subject, name: "cart" }, "C0SHOP", NOW, null)).toBeNull();
  });
});
