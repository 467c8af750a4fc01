/**
 * Go-shaped heap profiles for tests, encoded with pprof-format as Go writes them (gzipped, four sample
 * types, inuse_space third, no default sample type): each stack is innermost function first.
 */
import { gzipSync } from "node:zlib";
import { Profile, StringTable } from "pprof-format";

export function goHeapProfile(stacks: readonly { stack: readonly string[]; bytes: number }[], at: number): Uint8Array {
  const strings = new StringTable();
  const fn = new Map<string, number>();
  const idOf = (name: string) => {
    let id = fn.get(name);
    if (id === undefined) fn.set(name, (id = fn.size + 1));
    return id;
  };
  const samples = stacks.map((s) => ({
    locationId: s.stack.map(idOf),
    // alloc_objects, alloc_space, inuse_objects, inuse_space
    value: [1, s.bytes, 1, s.bytes],
  }));
  const p = new Profile({
    sampleType: ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"].map((t, i) => ({
      type: strings.dedup(t),
      unit: strings.dedup(i % 2 ? "bytes" : "count"),
    })),
    sample: samples,
    location: [...fn.values()].map((id) => ({ id, line: [{ functionId: id, line: 1 }] })),
    function: [...fn].map(([name, id]) => ({ id, name: strings.dedup(name), systemName: strings.dedup(name) })),
    stringTable: strings,
    timeNanos: BigInt(Math.round(at * 1e9)),
  });
  return gzipSync(p.encode());
}
