import { describe, expect, it } from "vitest";
import { blockMaxima, followers } from "../../../src/core/correlate.ts";
import type { Sample } from "../../../src/core/model.ts";
import { rng } from "../../support/fixtures.ts";

const MI = 2 ** 20;
const minutes = (n: number, f: (i: number) => number): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ t: i * 60, v: f(i) }));

describe("the metric that grows with memory", () => {
  // connections opened in irregular bursts; memory follows at 1.2 MiB each, plus noise
  const r = rng(7);
  let open = 10;
  const conns = minutes(240, () => (open += r() < 0.3 ? Math.floor(r() * 6) : 0));
  const noise = rng(9);
  const memory = conns.map((c) => ({ t: c.t, v: 300 * MI + 1.2 * MI * c.v + noise() * 2 * MI }));

  it("names the connection gauge with its slope, ahead of a clock-like counter and noise", () => {
    const f = followers(memory, [
      { metric: "sse_connections_active", labels: "", points: conns },
      { metric: "process_cpu_seconds_total", labels: "", points: minutes(240, (i) => i * 3) },
      { metric: "http_requests_in_flight", labels: "", points: minutes(240, () => Math.floor(noise() * 20)) },
      { metric: "go_memstats_heap_inuse_bytes", labels: "", points: memory },
    ]);
    expect(f.map((x) => x.metric)).toEqual(["sse_connections_active"]);
    expect(f[0]!.r).toBeGreaterThan(0.97);
    expect(f[0]!.bytesPerUnit / MI).toBeCloseTo(1.2, 1);
  });

  it("reports nothing when memory does not grow, a candidate falls while memory rises, or there are too few blocks", () => {
    const flat = minutes(240, () => 300 * MI + noise() * MI);
    expect(followers(flat, [{ metric: "sse_connections_active", labels: "", points: conns }])).toEqual([]);
    const falling = conns.map((c) => ({ t: c.t, v: 1000 - c.v }));
    expect(followers(memory, [{ metric: "pool_idle", labels: "", points: falling }])).toEqual([]);
    // a goroutine more halfway through: two levels, a step, not a trend (found on the live tier)
    const jump = minutes(240, (i) => 300 * MI + (i < 150 ? 0 : 60 * MI) + i * 0.05 * MI);
    const step = minutes(240, (i) => (i < 150 ? 4 : 5));
    expect(followers(jump, [{ metric: "go_goroutines", labels: "", points: step }])).toEqual([]);
    const short = conns.filter((c) => c.t < 60 * 60);
    expect(followers(memory, [{ metric: "sse_connections_active", labels: "", points: short }])).toEqual([]);
  });

  it("block maxima: the highest value per equal block, null where a block is empty", () => {
    const pts = [
      { t: 0, v: 1 },
      { t: 5, v: 5 },
      { t: 35, v: 2 },
    ];
    expect(blockMaxima(pts, 0, 40, 4)).toEqual([5, null, null, 2]);
  });
});
