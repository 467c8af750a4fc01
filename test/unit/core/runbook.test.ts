import { describe, expect, it } from "vitest";
import { parseRunbook } from "../../../src/core/runbook.ts";

const valid = {
  id: "high-memory",
  title: "High memory",
  match: { targets: ["deployment"] },
  steps: [{ kind: "usage-vs-limit" }],
};

describe("runbook schema", () => {
  it("fills defaults", () => {
    const r = parseRunbook(valid);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.thresholds).toEqual({ usageWarningPercent: 80, maxLimitFactor: 2 });
      expect(r.value.steps[0]).toMatchObject({ kind: "usage-vs-limit", timeout: "10s" });
    }
  });

  it("names the path of every problem", () => {
    const r = parseRunbook({
      ...valid,
      id: "High Memory",
      steps: [{ kind: "usage-vs-limit", timeout: "soon" }, { kind: "frobnicate" }, { kind: "logs-grep", pattern: "(" }],
      extra: 1,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^id: /),
          expect.stringMatching(/^steps\.0\.timeout: not a duration/),
          expect.stringMatching(/^steps\.1\.kind: /),
          expect.stringMatching(/^steps\.2\.pattern: not a pattern memops can run in linear time .*missing closing \)/),
          expect.stringMatching(/^\(root\): .*extra/),
        ]),
      );
    }
  });
});
