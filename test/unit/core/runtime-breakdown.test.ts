import { describe, expect, it } from "vitest";
import { correlateLines, runtimeLines, runtimeRows } from "../../../src/core/runtime-breakdown.ts";
import type { Sample } from "../../../src/core/model.ts";

const MI = 2 ** 20;
const ramp = (n: number, f: (i: number) => number): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ t: i * 60, v: f(i) }));

describe("the runtime breakdown", () => {
  const memory = new Map([
    ["api-0", ramp(120, (i) => 60 * MI + i * 0.4 * MI + ((i * 7) % 5) * 0.1 * MI)],
    ["jvm-0", ramp(120, () => 900 * MI)],
  ]);
  const go = (metric: string, f: (i: number) => number) => ({ metric, labels: { pod: "api-0" }, points: ramp(120, f) });
  const rows = runtimeRows(
    [
      go("go_memstats_heap_inuse_bytes", (i) => 20 * MI + i * 0.2 * MI),
      go("go_memstats_stack_inuse_bytes", (i) => MI + i * 0.1 * MI),
      // 50 goroutines more every 10 minutes, with memory
      go("go_goroutines", (i) => 100 + Math.floor(i / 10) * 50),
      { metric: "jvm_memory_used_bytes", labels: { pod: "jvm-0", area: "heap" }, points: ramp(120, () => 600 * MI) },
      { metric: "jvm_memory_used_bytes", labels: { pod: "jvm-0", area: "nonheap" }, points: ramp(120, () => 100 * MI) },
    ],
    memory,
  );

  it("splits a Go pod's working set into heap, stacks and the rest, and calls growing goroutines a leak", () => {
    const lines = runtimeLines({ rows });
    // 60Mi + 119 × 0.4Mi + 0.4Mi of wobble; heap 20Mi + 119 × 0.2Mi; stacks 1Mi + 119 × 0.1Mi
    expect(lines[0]).toBe(
      "api-0 (Go): working set 108Mi = heap in use 43.8Mi (41%) + goroutine stacks 12.9Mi (12%) + other (runtime overhead, native) 51.2Mi (47%)",
    );
    expect(lines[1]).toMatch(
      /^ {2}650 goroutines, and their count grows with memory \(r (0\.9\d|1\.00), ~\d+(\.\d)?Ki per goroutine\): a goroutine leak$/,
    );
    expect(lines[2]).toBe(
      "jvm-0 (JVM): working set 900Mi = heap 600Mi (67%) + non-heap (metaspace, code cache) 100Mi (11%) + other (runtime overhead, native) 200Mi (22%)",
    );
  });

  it("says so when the pods export no runtime metrics, and when nothing follows memory", () => {
    expect(runtimeLines({ rows: [] })[0]).toMatch(/^No runtime metrics for these pods in Prometheus/);
    expect(correlateLines({ pod: "api-0", candidates: 42, followers: [] })).toEqual([
      "None of 42 series of api-0 follows its memory closely enough to name (same direction, r ≥ the step's minimum): nothing rather than a guess.",
    ]);
  });
});
