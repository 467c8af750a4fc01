import { describe, expect, it } from "vitest";
import { fillTemplate, parseTemplate } from "../../../src/core/promql-template.ts";
import { escapeRegex } from "../../../src/core/regex.ts";

const fill = (q: string, pods: string, namespace = "shop") => fillTemplate(q, { namespace, pods });

describe("a runbook's PromQL with its placeholders filled in", () => {
  it("escapes a pod pattern for the double-quoted string it sits in: a dotted name stays a valid PromQL string", () => {
    const pods = escapeRegex("api.v2-7d9c"); // api\.v2-7d9c
    expect(fill('sum(container_memory_working_set_bytes{namespace="{{namespace}}", pod=~"{{pods}}"})', pods)).toEqual({
      ok: true,
      value: 'sum(container_memory_working_set_bytes{namespace="shop", pod=~"api\\\\.v2-7d9c"})',
    });
  });

  it("escapes for single quotes and leaves raw strings raw", () => {
    expect(fill("up{pod=~'{{pods}}'}", "a\\.b'c")).toEqual({ ok: true, value: "up{pod=~'a\\\\.b\\'c'}" });
    expect(fill("up{pod=~`{{pods}}`}", "a\\.b")).toEqual({ ok: true, value: "up{pod=~`a\\.b`}" });
    expect(fill("up{pod=~`{{pods}}`}", "a`b").ok).toBe(false);
  });

  it("a value cannot close its string and add PromQL of its own", () => {
    const r = fill('up{namespace="{{namespace}}"}', "x", 'shop"} or vector(1) or up{a="');
    expect(r).toEqual({ ok: true, value: 'up{namespace="shop\\"} or vector(1) or up{a=\\""}' });
  });

  it("refuses placeholders outside a string, unknown placeholders and unclosed strings", () => {
    expect(parseTemplate("count(up) by ({{namespace}})")).toMatchObject({
      ok: false,
      error: expect.stringContaining("inside a quoted string"),
    });
    expect(parseTemplate('up{a="{{pod}}"}')).toMatchObject({
      ok: false,
      error: expect.stringContaining("unknown placeholder {{pod}}"),
    });
    expect(parseTemplate('up{a="{{pods}}}')).toMatchObject({ ok: false, error: expect.stringContaining("not closed") });
    expect(parseTemplate('up{a="x\\"{{pods}}"}').ok).toBe(true);
  });
});
