/**
 * The runtime breakdown (issue 16): a pod's working set split by what its runtime says it holds — Go
 * (`go_memstats_heap_inuse_bytes`, `go_memstats_stack_inuse_bytes`, `go_goroutines`), the JVM
 * (`jvm_memory_used_bytes` by area), Node.js (`nodejs_heap_size_used_bytes`, `nodejs_external_memory_bytes`)
 * — with the rest as runtime overhead (RSS − heap: the OLM analysis found 49%), and a goroutine count
 * that grows with memory called a goroutine leak. Pure; the step reads the series.
 */
import { followers } from "./correlate.ts";
import type { CorrelateFindings, RuntimeFindings, RuntimeRow } from "./findings.ts";
import type { Sample } from "./model.ts";
import { formatBytes } from "./quantity.ts";

/** The runtime series the step asks for, in one query. */
export const RUNTIME_METRICS = [
  "go_memstats_heap_inuse_bytes",
  "go_memstats_stack_inuse_bytes",
  "go_goroutines",
  "jvm_memory_used_bytes",
  "nodejs_heap_size_used_bytes",
  "nodejs_external_memory_bytes",
] as const;

export interface PodSeries {
  metric: string;
  labels: Record<string, string>;
  points: readonly Sample[];
}

const lastOf = (s: readonly Sample[] | undefined) => s?.[s.length - 1]?.v ?? null;

/** One row per pod whose runtime is recognised; `memory` is each pod's working set over the window. */
export function runtimeRows(
  series: readonly PodSeries[],
  memory: ReadonlyMap<string, readonly Sample[]>,
): RuntimeRow[] {
  const byPod = Map.groupBy(series, (s) => s.labels["pod"] ?? "");
  const rows: RuntimeRow[] = [];
  for (const [pod, own] of byPod) {
    if (!pod) continue;
    // a pod with several containers exporting the same metric: their sum
    const sum = (metric: string, area?: string) => {
      const match = own.filter((s) => s.metric === metric && (area === undefined || s.labels["area"] === area));
      return match.length ? match.reduce((n, s) => n + (lastOf(s.points) ?? 0), 0) : null;
    };
    const ws = lastOf(memory.get(pod));
    const row = (runtime: RuntimeRow["runtime"], parts: { label: string; bytes: number | null }[]): RuntimeRow => {
      const known = parts.filter((p): p is { label: string; bytes: number } => p.bytes !== null);
      const held = known.reduce((n, p) => n + p.bytes, 0);
      return {
        pod,
        runtime,
        workingSetBytes: ws,
        parts: known,
        otherBytes: ws === null ? null : Math.max(0, ws - held),
        goroutines: null,
      };
    };
    const heap = sum("go_memstats_heap_inuse_bytes");
    if (heap !== null) {
      const r = row("go", [
        { label: "heap in use", bytes: heap },
        { label: "goroutine stacks", bytes: sum("go_memstats_stack_inuse_bytes") },
      ]);
      const g = own.find((s) => s.metric === "go_goroutines");
      const mem = memory.get(pod);
      if (g)
        r.goroutines = {
          now: lastOf(g.points) ?? 0,
          leak: mem ? (followers(mem, [{ metric: "go_goroutines", labels: "", points: g.points }])[0] ?? null) : null,
        };
      rows.push(r);
      continue;
    }
    const jvmHeap = sum("jvm_memory_used_bytes", "heap");
    if (jvmHeap !== null) {
      rows.push(
        row("jvm", [
          { label: "heap", bytes: jvmHeap },
          { label: "non-heap (metaspace, code cache)", bytes: sum("jvm_memory_used_bytes", "nonheap") },
        ]),
      );
      continue;
    }
    const nodeHeap = sum("nodejs_heap_size_used_bytes");
    if (nodeHeap !== null)
      rows.push(
        row("nodejs", [
          { label: "V8 heap used", bytes: nodeHeap },
          { label: "external (buffers)", bytes: sum("nodejs_external_memory_bytes") },
        ]),
      );
  }
  return rows.sort((a, b) => a.pod.localeCompare(b.pod));
}

const share = (part: number, whole: number | null) => (whole ? ` (${Math.round((part / whole) * 100)}%)` : "");
const RUNTIME = { go: "Go", jvm: "JVM", nodejs: "Node.js" } as const;

/** The section as lines, for Slack and the terminal alike. */
export function runtimeLines(d: RuntimeFindings): string[] {
  if (d.rows.length === 0)
    return [
      "No runtime metrics for these pods in Prometheus (go_memstats_*, jvm_memory_used_bytes, nodejs_heap_size_used_bytes): the working set cannot be split.",
    ];
  return d.rows.flatMap((r) => {
    const ws = r.workingSetBytes;
    const parts = r.parts.map((p) => `${p.label} ${formatBytes(p.bytes)}${share(p.bytes, ws)}`);
    if (r.otherBytes !== null)
      parts.push(`other (runtime overhead, native) ${formatBytes(r.otherBytes)}${share(r.otherBytes, ws)}`);
    const lines = [
      `${r.pod} (${RUNTIME[r.runtime]}): working set ${ws === null ? "unknown" : formatBytes(ws)} = ${parts.join(" + ")}`,
    ];
    const g = r.goroutines;
    if (g)
      lines.push(
        g.leak
          ? `  ${Math.round(g.now)} goroutines, and their count grows with memory (r ${g.leak.r.toFixed(2)}, ~${formatBytes(Math.max(0, g.leak.bytesPerUnit))} per goroutine): a goroutine leak`
          : `  ${Math.round(g.now)} goroutines, not growing with memory`,
      );
    return lines;
  });
}

/** "memory grows ~1.2Mi per sse_connections_active (r 0.97)" */
export function correlateLines(d: CorrelateFindings): string[] {
  if (!d.pod) return ["No pod's working set grew over the window: nothing to correlate."];
  if (d.followers.length === 0)
    return [
      `None of ${d.candidates} series of ${d.pod} follows its memory closely enough to name (same direction, r ≥ the step's minimum): nothing rather than a guess.`,
    ];
  return [
    `Series of ${d.pod} whose trend follows its memory (of ${d.candidates} compared):`,
    ...d.followers.map(
      (f) =>
        `  memory grows ~${formatBytes(Math.max(0, f.bytesPerUnit))} per ${f.metric}${f.labels} (r ${f.r.toFixed(2)}; ${f.rDetrended.toFixed(2)} beyond the shared trend, ${f.blocks} blocks)`,
    ),
  ];
}
