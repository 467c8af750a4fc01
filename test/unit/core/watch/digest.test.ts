import { describe, expect, it } from "vitest";
import { MiB } from "../../../../src/core/quantity.ts";
import { buildDigest, digestCsv, type DigestInput } from "../../../../src/core/watch/digest.ts";

const H = 3600;
const NOW = 1_790_000_000;
const hourly = (from: number, to: number, v: (t: number) => number) =>
  Array.from({ length: Math.floor((to - from) / H) + 1 }, (_, i) => ({ t: from + i * H, v: v(from + i * H) }));
const pod = (name: string, over: Partial<DigestInput>): DigestInput => ({
  namespace: "shop",
  pod: name,
  container: "app",
  workingSet: [],
  restarts: [],
  requestBytes: 256 * MiB,
  limitBytes: 512 * MiB,
  ...over,
});

describe("the rightsizing digest", () => {
  it("a workload is its pods now: one replaced hours ago (an old limit, at its limit) does not speak for it", () => {
    const d = buildDigest(
      [
        pod("api-7d9c8f6b5d-o1d0p", { workingSet: hourly(NOW - 7 * 24 * H, NOW - 3 * H, () => 505 * MiB) }),
        pod("api-8e0d9a7c6e-n3w0p", {
          workingSet: hourly(NOW - 3 * H, NOW, () => 300 * MiB),
          limitBytes: 640 * MiB,
        }),
        // gone altogether: a deleted workload's last pod
        pod("old-6c7d8e9f0a-g0n3x", { workingSet: hourly(NOW - 7 * 24 * H, NOW - 5 * H, () => 100 * MiB) }),
      ],
      NOW,
      2,
    );
    expect(d.rows.map((r) => [r.workload, r.pods, r.limitBytes])).toEqual([["deployment/api", 1, 640 * MiB]]);
    expect(d.rows[0]!.shareNow).toBeCloseTo(300 / 640, 2);
  });

  it("requests held beyond the recommendation are summed over the pods; the CSV has every row", () => {
    const flat = (name: string) =>
      pod(name, {
        workingSet: hourly(NOW - 7 * 24 * H, NOW, () => 100 * MiB),
        requestBytes: 1024 * MiB,
        limitBytes: 2048 * MiB,
      });
    const d = buildDigest([flat("web-5d6e7f8a9b-aaaaa"), flat("web-5d6e7f8a9b-bbbbb")], NOW, 2);
    expect(d.over).toHaveLength(1);
    expect(d.over[0]).toMatchObject({ workload: "deployment/web", pods: 2 });
    expect(d.freeableBytes).toBe(2 * (1024 * MiB - d.over[0]!.recommendedRequest!));
    expect(d.freeableBytes).toBeGreaterThan(1700 * MiB);
    expect(digestCsv(d).trim().split("\n")).toHaveLength(2);
  });
});
