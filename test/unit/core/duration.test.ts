import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/core/duration.ts";

describe("durations", () => {
  it.each([
    ["90s", 90],
    ["30m", 1800],
    ["6h", 21600],
    ["1h30m", 5400],
    ["2d", 172800],
    ["1w", 604800],
  ])("parses %s", (t, s) => expect(parseDuration(t)).toEqual({ ok: true, value: s }));
  it.each(["", "6", "6 h", "h6", "1.5h", "6hours", "-1h"])("rejects %j", (t) =>
    expect(parseDuration(t).ok).toBe(false),
  );
  it.each([
    [0, "0s"],
    [45, "45s"],
    [150, "2m 30s"],
    [3500, "58m"],
    [7800, "2h 10m"],
    [277200, "3d 5h"],
    [Infinity, "∞"],
  ])("formats %d as %s", (s, t) => expect(formatDuration(s)).toBe(t));
});
