/** A heap profile in the thread: the top functions by in-use bytes, and what grew between two profiles. */
import type { ProfileView } from "../../app/profile-heap.ts";
import { formatDuration } from "../../core/duration.ts";
import { profileFile, topFunctions } from "../../core/profile/heap-profile.ts";
import { diffVerdict } from "../../core/profile/profile-text.ts";
import { formatBytes } from "../../core/quantity.ts";
import { subjectKey } from "../../core/subject.ts";
import { table } from "../../core/text-table.ts";
import type { ChatMessage } from "../../ports.ts";
import { codeSections, context, sections } from "./blocks.ts";
import { esc } from "./mrkdwn.ts";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const signed = (b: number) => `${b >= 0 ? "+" : "−"}${formatBytes(Math.abs(b))}`;

export function heapProfileMessage(p: ProfileView, top: number): ChatMessage {
  const where = `${p.pod}:${p.port}${p.path}`;
  if (p.second && p.diff) {
    const d = p.diff;
    const verdict = diffVerdict(d);
    const rows = d.grew.map((g) => [signed(g.delta), formatBytes(g.before), formatBytes(g.after), g.name]);
    const over = d.seconds !== null ? ` over ${formatDuration(Math.round(d.seconds))}` : "";
    return {
      text: `Heap growth of ${p.pod}${over}: ${verdict}`,
      blocks: [
        ...sections(`:chart_with_upwards_trend: *Heap growth of ${esc(p.pod)}*${over}\n${esc(verdict)}`),
        ...(rows.length
          ? codeSections(
              `*Grew the most* (in-use bytes allocated in the function itself; ${formatBytes(d.totalBefore)} → ${formatBytes(d.totalAfter)} in all)`,
              table(["growth", "before", "after", "function"], rows),
            )
          : []),
        context(
          `Both profiles are attached: \`go tool pprof -diff_base ${esc(profileFile(p.pod, 1))} ${esc(profileFile(p.pod, 2))}\``,
        ),
      ],
    };
  }
  const t = topFunctions(p.first, top);
  const total = formatBytes(p.first.totalBytes);
  const flat = t.byFlat.map((f) => [
    formatBytes(f.flat),
    pct(f.flatShare),
    formatBytes(f.cum),
    pct(f.cumShare),
    f.name,
  ]);
  const cum = t.byCum.map((f) => [formatBytes(f.cum), pct(f.cumShare), f.name]);
  const lead = t.byFlat[0];
  return {
    text: `Heap profile of ${p.pod}: ${total} in use${lead ? `, ${pct(lead.flatShare)} in ${lead.name}` : ""}`,
    blocks: [
      ...sections(
        `:mag: *Heap profile of ${esc(subjectKey(p.subject))}*, pod \`${esc(where)}\` (${esc(p.podReason)}): *${total}* in use (${esc(p.first.sampleType)})`,
      ),
      ...codeSections(
        "*Top functions by flat in-use bytes* (allocated in the function itself)",
        table(["flat", "flat%", "cum", "cum%", "function"], flat),
      ),
      ...codeSections(
        "*By cumulative* (in the function or anything it called)",
        table(["cum", "cum%", "function"], cum),
      ),
      context(
        "The raw profile is attached: `go tool pprof -top heap-….pb.gz`. One profile shows where the heap is, not whether it grows: `--compare 10m` takes a second one.",
      ),
    ],
  };
}
