/**
 * Heap profiles in words. What two profiles of one pod say, in a sentence: where the heap grew, or that it did not. The
 * growth in one function between profiles is what tells a leak from a plateau (the OLM analysis:
 * "stable for 3 snapshots ⇒ not a leak").
 */
import { formatDuration } from "../duration.ts";
import { formatBytes } from "../quantity.ts";
import type { HeapProfileFindings } from "../findings.ts";
import type { ProfileDiff } from "./heap-profile.ts";

/** Below this growth of the heap between profiles (share of the first), it is a plateau. */
const FLAT = 0.02;
const MI = 2 ** 20;

export function diffVerdict(d: ProfileDiff): string {
  const growth = d.totalAfter - d.totalBefore;
  const over = d.seconds !== null ? ` in ${formatDuration(Math.round(d.seconds))}` : "";
  if (growth <= Math.max(MI, d.totalBefore * FLAT))
    return `The heap did not grow${over} (${formatBytes(d.totalBefore)} → ${formatBytes(d.totalAfter)}): a plateau in the heap, not a leak there. If the working set still grows, look outside the heap (goroutine stacks, cgo, memory-mapped files).`;
  const top = d.grew[0];
  if (!top || top.delta < growth / 2)
    return `The heap grew by ${formatBytes(growth)}${over}, spread over many functions: no single one accounts for most of it.`;
  return `The heap grew by ${formatBytes(growth)}${over}, ${Math.round((top.delta / growth) * 100)}% of it in ${top.name} (${formatBytes(top.before)} → ${formatBytes(top.after)}): that is where the memory goes.`;
}

/** A diagnosis's heap profile section as lines. */
export function heapProfileLines(d: HeapProfileFindings): string[] {
  return [
    `${d.pod}:${d.port}${d.path}: ${formatBytes(d.totalBytes)} in use; by flat in-use bytes:`,
    ...d.top.map((f) => `  ${formatBytes(f.flat)} (${(f.flatShare * 100).toFixed(1)}%)  ${f.name}`),
    "One profile shows where the heap is; whether it grows: /mem profile … --compare 10m.",
  ];
}
