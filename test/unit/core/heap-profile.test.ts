import { describe, expect, it } from "vitest";
import { diffProfiles, topFunctions } from "../../../src/core/profile/heap-profile.ts";
import { diffVerdict } from "../../../src/core/profile/profile-text.ts";
import { decodeHeapProfile } from "../../../src/profile/decode-heap.ts";
import { goHeapProfile } from "../../support/heap-profiles.ts";

const MI = 2 ** 20;
const leak = "main.(*sessionCache).retain";
const serve = ["net/http.HandlerFunc.ServeHTTP", "net/http.(*conn).serve"];
const profile = (leaked: number, at: number) =>
  goHeapProfile(
    [
      { stack: [leak, "main.main.func1", ...serve], bytes: leaked },
      { stack: ["bufio.NewReaderSize", ...serve], bytes: 2 * MI },
      { stack: ["runtime.malg", "runtime.newproc1"], bytes: MI / 2 },
    ],
    at,
  );
const decode = (b: Uint8Array) => {
  const r = decodeHeapProfile(b);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe("heap profiles", () => {
  it("reads inuse_space by name: flat to the innermost function, cumulative once per stack", () => {
    const p = decode(profile(10 * MI, 1000));
    expect(p.totalBytes).toBe(12.5 * MI);
    expect(p.takenAt).toBe(1000);
    const t = topFunctions(p, 3);
    expect(t.byFlat.map((f) => [f.name, f.flat])).toEqual([
      [leak, 10 * MI],
      ["bufio.NewReaderSize", 2 * MI],
      ["runtime.malg", MI / 2],
    ]);
    expect(t.byFlat[0]!.flatShare).toBeCloseTo(0.8);
    expect(t.byCum[0]).toMatchObject({ name: "net/http.(*conn).serve", cum: 12 * MI });
  });

  it("says plainly when the bytes are not a heap profile, or have no in-use samples", () => {
    expect(decodeHeapProfile(new TextEncoder().encode("404 page not found"))).toMatchObject({ ok: false });
    const r = decodeHeapProfile(profile(MI, 1), "inuse_bytes");
    expect(r).toEqual({
      ok: false,
      error:
        "the profile has no inuse_bytes samples (it has alloc_objects, alloc_space, inuse_objects, inuse_space): is this a heap profile?",
    });
  });

  it("the diff compares the full maps: the leak grew, the rest did not; a plateau is called one", () => {
    const a = decode(profile(10 * MI, 1000)),
      b = decode(profile(30 * MI, 1600));
    const d = diffProfiles(a, b, 5);
    expect(d.grew).toEqual([{ name: leak, before: 10 * MI, after: 30 * MI, delta: 20 * MI, cumDelta: 20 * MI }]);
    expect(d.seconds).toBe(600);
    expect(diffVerdict(d)).toBe(
      `The heap grew by 20Mi in 10m, 100% of it in ${leak} (10Mi → 30Mi): that is where the memory goes.`,
    );
    const flat = diffProfiles(a, decode(profile(10 * MI, 1600)), 5);
    expect(flat.grew).toEqual([]);
    expect(diffVerdict(flat)).toMatch(/^The heap did not grow in 10m \(12\.5Mi → 12\.5Mi\): a plateau in the heap/);
  });
});
