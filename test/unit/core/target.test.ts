import { describe, expect, it } from "vitest";
import { parseFlags, tokenize } from "../../../src/core/args.ts";
import { checkLabelSelector } from "../../../src/core/k8s-names.ts";
import { describeTarget, parseTarget } from "../../../src/core/target.ts";

describe("parseTarget", () => {
  it.each([
    ["deploy/api", { kind: "deployment", name: "api", namespace: "shop" }],
    ["deployment/api", { kind: "deployment", name: "api", namespace: "shop" }],
    ["sts/db", { kind: "statefulset", name: "db", namespace: "shop" }],
    ["ds/node-exporter", { kind: "daemonset", name: "node-exporter", namespace: "shop" }],
    ["pod/api-7d9c8f6b5d-x2x9q", { kind: "pod", name: "api-7d9c8f6b5d-x2x9q", namespace: "shop" }],
    ["ns/payments", { kind: "namespace", name: "payments", namespace: "payments" }],
    ["api", { kind: "any", name: "api", namespace: "shop" }],
  ])("%s", (text, target) => expect(parseTarget(text, "shop")).toEqual({ ok: true, value: target }));

  it("takes a selector alone", () =>
    expect(parseTarget(undefined, "shop", "app=api")).toEqual({
      ok: true,
      value: { kind: "selector", namespace: "shop", selector: "app=api" },
    }));

  it.each([
    ["deploy/API", 'deployment name "API" is not valid'],
    ["deploy/-api", 'deployment name "-api" is not valid'],
    ["deploy/", 'deployment name "" is not valid'],
    ["cm/api", 'unknown kind "cm"'],
    ["ns/a.b", 'namespace "a.b" is not valid'],
    [`deploy/${"a".repeat(254)}`, "longer than 253 characters"],
  ])("rejects %s before any API call", (text, problem) => {
    const r = parseTarget(text, "shop");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(problem);
  });

  it("asks for a target when there is none", () => expect(parseTarget(undefined, "shop")).toMatchObject({ ok: false }));
  it("rejects a bad namespace", () => expect(parseTarget("deploy/api", "Shop")).toMatchObject({ ok: false }));
  it("prints a target the way it would be typed", () => {
    expect(describeTarget({ kind: "deployment", name: "api", namespace: "shop" })).toBe("deploy/api -n shop");
    expect(describeTarget({ kind: "namespace", name: "shop", namespace: "shop" })).toBe("ns/shop");
    expect(describeTarget({ kind: "selector", namespace: "shop", selector: "app=api" })).toBe("-l app=api -n shop");
  });
});

describe("label selectors", () => {
  it.each([
    "app=api",
    "app==api",
    "app!=api",
    "tier",
    "!legacy",
    "env in (prod, stage)",
    "env notin (dev)",
    "app.kubernetes.io/name=api,tier!=db",
    "app=",
  ])("accepts %s", (s) => expect(checkLabelSelector(s).ok).toBe(true));
  it.each(["app=api=x", "app in (a,b", "=api", "app=a b", "-app=api", `app=${"v".repeat(64)}`, "Bad_Prefix/x=y"])(
    "rejects %s",
    (s) => expect(checkLabelSelector(s).ok).toBe(false),
  );
});

describe("command words", () => {
  it("groups quoted words, including Slack's curly quotes", () => {
    expect(tokenize(`diagnose -l "app in (a, b)" -n shop`)).toEqual({
      ok: true,
      value: ["diagnose", "-l", "app in (a, b)", "-n", "shop"],
    });
    expect(tokenize("diagnose -l “app in (a, b)”")).toEqual({ ok: true, value: ["diagnose", "-l", "app in (a, b)"] });
    expect(tokenize('diagnose "unclosed').ok).toBe(false);
  });

  it("parses flags with values, in both forms, and refuses unknown or repeated ones", () => {
    const spec = { namespace: ["-n", "--namespace"], since: ["--since"] };
    expect(parseFlags(["deploy/api", "-n", "shop", "--since=6h"], spec)).toEqual({
      ok: true,
      value: { positionals: ["deploy/api"], flags: { namespace: "shop", since: "6h" } },
    });
    expect(parseFlags(["-x"], spec)).toEqual({ ok: false, error: "unknown option -x" });
    expect(parseFlags(["-n", "a", "--namespace", "b"], spec)).toEqual({
      ok: false,
      error: "option --namespace is given twice",
    });
    expect(parseFlags(["--since="], spec)).toEqual({ ok: false, error: "option --since needs a value" });
    expect(parseFlags(["export", "--jsonl", "--since", "1h"], { ...spec, jsonl: ["--jsonl"] }, ["jsonl"])).toEqual({
      ok: true,
      value: { positionals: ["export"], flags: { jsonl: "true", since: "1h" } },
    });
    expect(parseFlags(["--jsonl=yes"], { jsonl: ["--jsonl"] }, ["jsonl"])).toEqual({
      ok: false,
      error: "option --jsonl takes no value",
    });
  });
});
