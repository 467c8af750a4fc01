import type { LineMatcher } from "./line-pattern.ts";

/** Log lines that speak of memory: OOM, heap, GC, allocation failures. */
export const MEMORY_LOG_PATTERN =
  /\b(oom|oomkill\w*|out of memory|outofmemory\w*|heap|gc|garbage.collect\w*|alloc\w*|malloc|memory|memoryerror|enomem|killed process|cannot allocate|rss|evict\w*)\b/i;

/** The last `max` lines of `text` matching `pattern`, and how many matched in all. */
export function grepLines(text: string, pattern: LineMatcher, max: number): { lines: string[]; matched: number } {
  const matches = text.split(/\r?\n/).filter((line) => line.trim() !== "" && pattern.test(line));
  return {
    lines: matches.slice(-max).map((l) => (l.length > 300 ? `${l.slice(0, 297)}…` : l)),
    matched: matches.length,
  };
}
