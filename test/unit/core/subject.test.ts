import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonical, chain, verifyChain } from "../../../src/core/audit.ts";
import { parseSubjectKey, subjectKey, subjectOfTarget } from "../../../src/core/subject.ts";
import { parseTarget } from "../../../src/core/target.ts";

describe("subjects: incidents and audit entries are keyed by what they are about, typed", () => {
  it("reads every key memops has written back to a subject with the same key", () => {
    for (const key of [
      "deployment/api -n shop",
      "statefulset/db-0 -n shop",
      "pod/api-7d9c-x2x -n shop",
      "namespace/shop",
      "selector/app=api,tier in (web) -n shop",
      "api -n shop",
      "undefined/ -n undefined", // what an old bug wrote for `/mem audit <target>`
      "something else entirely",
    ])
      expect(subjectKey(parseSubjectKey(key))).toBe(key);
    expect(parseSubjectKey("deployment/api -n shop")).toEqual({ kind: "deployment", name: "api", namespace: "shop" });
  });

  it("names what a person asked for", () => {
    const t = (text: string | undefined, sel?: string) => {
      const r = parseTarget(text, "shop", sel);
      if (!r.ok) throw new Error(r.error);
      return subjectKey(subjectOfTarget(r.value));
    };
    expect(t("deploy/api")).toBe("deployment/api -n shop");
    expect(t("ns/shop")).toBe("namespace/shop");
    expect(t("api")).toBe("api -n shop");
    expect(t(undefined, "app=api")).toBe("selector/app=api -n shop");
  });

  it("hashes a typed subject as the key older entries were chained with, so existing logs still verify", () => {
    const event = {
      at: 1_790_000_000,
      kind: "mutation" as const,
      slackUser: "U0BOB",
      kubernetesIdentity: null,
      what: "raise limit",
      outcome: "ok",
      details: {},
    };
    const e = chain(null, { ...event, target: { kind: "deployment", name: "api", namespace: "shop" } });
    const legacy = createHash("sha256")
      .update(`${"0".repeat(64)}\n${canonical({ seq: 1, ...event, target: "deployment/api -n shop" })}`)
      .digest("hex");
    expect(e.hash).toBe(legacy);
    expect(verifyChain([e])).toEqual({ ok: true, entries: 1 });
  });
});
