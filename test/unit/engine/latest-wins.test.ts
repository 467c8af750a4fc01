import { describe, expect, it } from "vitest";
import { latestWins } from "../../../src/app/latest-wins.ts";

describe("latestWins", () => {
  it("sends in order, skips superseded updates, and idles only after the last", async () => {
    const sent: number[] = [];
    const q = latestWins(async (n: number) => {
      await new Promise((r) => setTimeout(r, 10));
      sent.push(n);
    });
    for (let i = 1; i <= 5; i++) q.push(i);
    await q.idle();
    expect(sent).toEqual([1, 5]);
    q.push(6);
    await q.idle();
    expect(sent).toEqual([1, 5, 6]);
  });

  it("a failed update does not stop the next", async () => {
    const sent: number[] = [];
    const errors: unknown[] = [];
    const q = latestWins(
      async (n: number) => {
        if (n === 1) throw new Error("boom");
        sent.push(n);
      },
      (e) => errors.push(e),
    );
    q.push(1);
    await q.idle();
    q.push(2);
    await q.idle();
    expect(sent).toEqual([2]);
    expect(errors).toHaveLength(1);
  });
});
