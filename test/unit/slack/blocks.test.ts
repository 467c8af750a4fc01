import { describe, expect, it } from "vitest";
import type { Report } from "../../../src/core/findings.ts";
import { validateBlocks } from "../../../src/slack/emulator/block-kit.ts";
import { codeSections, packMessages, sections } from "../../../src/slack/render/blocks.ts";
import { reportMessages } from "../../../src/slack/render/report.ts";
import { NOW } from "../../support/fixtures.ts";

describe("Block Kit packing", () => {
  it("splits long text at line breaks into sections of at most 3000 characters, dropping nothing", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${"x".repeat(60)}`);
    const blocks = sections(lines.join("\n"));
    expect(blocks.length).toBeGreaterThan(1);
    const texts = blocks.map((b) => (b["text"] as { text: string }).text);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    expect(texts.join("\n")).toBe(lines.join("\n"));
  });

  it("keeps every part of a long code block a complete ``` block", () => {
    const blocks = codeSections(
      "*Logs*",
      Array.from({ length: 300 }, (_, i) => `${i} ${"y".repeat(40)}`),
    );
    for (const b of blocks) expect((b["text"] as { text: string }).text).toMatch(/```[\s\S]*```$/);
    for (const m of packMessages(blocks, () => "logs")) expect(validateBlocks(m.blocks)).toBeNull();
  });

  it("packs any number of blocks into messages Slack accepts", () => {
    const blocks = Array.from(
      { length: 180 },
      (_, i) => sections(`block ${i} ${"z".repeat(i % 7 === 0 ? 2900 : 100)}`)[0]!,
    );
    const messages = packMessages(blocks, (p, n) => `part ${p}/${n}`);
    expect(messages.flatMap((m) => m.blocks)).toEqual(blocks);
    for (const m of messages) {
      expect(validateBlocks(m.blocks)).toBeNull();
      expect(m.text).toMatch(/^part \d+\/\d+$/);
    }
  });

  it("a report with enormous log lines and names still renders within limits", () => {
    const long = "E".repeat(5000);
    const report: Report = {
      runbook: { id: "high-memory", title: "High" },
      windowSeconds: 3600,
      startedAt: NOW,
      finishedAt: NOW,
      target: {
        kind: "deployment",
        name: "a".repeat(200),
        namespace: "shop",
        ownerChain: ["Deployment x"],
        pods: 1,
        containers: 1,
        workload: null,
      },
      verdict: { severity: "warning", headline: long, points: [long, long] },
      nextSteps: [long],
      sections: [
        {
          kind: "logs-grep",
          title: "Logs",
          status: "ok",
          millis: 1,
          data: {
            why: "test",
            excerpts: Array.from({ length: 6 }, () => ({
              pod: "p",
              container: "c",
              previous: true,
              matched: 50,
              lines: Array.from({ length: 50 }, () => long),
            })),
          },
        },
      ],
    };
    const messages = reportMessages(report);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) {
      expect(validateBlocks(m.blocks)).toBeNull();
      expect(m.text.length).toBeLessThanOrEqual(4000);
    }
  });
});
