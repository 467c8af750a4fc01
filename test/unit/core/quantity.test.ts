import { describe, expect, it } from "vitest";
import { formatBytes, GiB, MiB, parseQuantity, roundUpReadable } from "../../../src/core/quantity.ts";

describe("parseQuantity", () => {
  it.each([
    ["512Mi", 512 * MiB],
    ["1Gi", GiB],
    ["1.5Gi", 1.5 * GiB],
    ["128974848", 128974848],
    ["129e6", 129e6],
    ["129M", 129e6],
    ["1G", 1e9],
    ["100Ki", 102400],
    ["1k", 1000],
    ["2000m", 2],
  ])("%s → %d bytes", (text, bytes) => expect(parseQuantity(text)).toEqual({ ok: true, value: bytes }));

  it.each(["", "Mi", "12 Mi", "1.2.3Gi", "-1Gi", "1Xi", "one"])(
    "rejects %j with an example of what it expects",
    (text) => {
      const r = parseQuantity(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain("examples: 512Mi, 1Gi");
    },
  );
});

describe("formatBytes", () => {
  it.each([
    [512 * MiB, "512Mi"],
    [1.5 * GiB, "1.5Gi"],
    [470 * MiB, "470Mi"],
    [900 * 1024, "900Ki"],
    [12, "12B"],
    [45.1 * MiB, "45.1Mi"],
  ])("%d → %s", (b, s) => expect(formatBytes(b)).toBe(s));
});

describe("roundUpReadable", () => {
  it("rounds to a step a person would write: 16Mi to 256Mi, 32Mi to 1Gi, 64Mi to 4Gi, then coarser", () => {
    expect(roundUpReadable(100 * MiB)).toBe(112 * MiB);
    expect(roundUpReadable(615 * MiB)).toBe(640 * MiB);
    expect(roundUpReadable(1.1 * GiB)).toBe(1152 * MiB);
    expect(roundUpReadable(1.7 * GiB)).toBe(1792 * MiB);
    expect(roundUpReadable(512 * MiB)).toBe(512 * MiB);
    expect(roundUpReadable(5 * GiB + 1)).toBe(5.25 * GiB);
    expect(roundUpReadable(20 * GiB + 1)).toBe(21 * GiB);
  });
});
