import { getHeapSpaceStatistics } from "node:v8";
import { describe, expect, it } from "vitest";
import { reducingCollection } from "../../src/return-memory.ts";

const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size;

describe("returning the heap's free memory", () => {
  it("shrinks the young generation that a burst of allocation grew, and leaves no gc global", () => {
    // objects that survive their first collections make V8 grow the young generation
    let kept: number[][] = [];
    for (let i = 0; i < 200_000; i++) kept.push([i, i + 1, i + 2]);
    const grown = newSpace();
    kept = [];
    reducingCollection()();
    expect(grown).toBeGreaterThan(2 * 2 ** 20);
    expect(newSpace()).toBeLessThanOrEqual(2 ** 20);
    expect(kept).toEqual([]);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
