/**
 * Gives the operating system back what loading and starting left in V8's heap. Start-up grows the young
 * generation to its maximum (8 MiB with the manifest's 4 MiB semi-space) and leaves garbage that a
 * regular collection frees into a pool, not to the system. V8's memory reducer returns both after a burst
 * of work (a quiet memops was back at its floor within 30 s of the last diagnosis), but not after
 * start-up: an idle memops stayed at 87 MiB for the 120 s measured (BENCHMARKS.md, issue 13). Only V8's memory-reducing
 * collection ("last resort": full collections until nothing more is freed) shrinks the young generation
 * and unmaps the pool, so memops runs one once it is serving: ~30 ms, once.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Logger } from "pino";

type GcFunction = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

/**
 * V8's memory-reducing collection. `--expose-gc` is on only while one new context is made, so no `gc`
 * global is left for memops's own code or its dependencies.
 */
export function reducingCollection(): () => void {
  let gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== "function") {
    setFlagsFromString("--expose-gc");
    try {
      gc = runInNewContext("gc");
    } finally {
      setFlagsFromString("--no-expose-gc");
    }
  }
  if (typeof gc !== "function") throw new Error("V8 offers no garbage collection function");
  const collect = gc as GcFunction;
  return () => collect({ type: "major", execution: "sync", flavor: "last-resort" });
}

/** Runs the collection, and logs what it took and the heap it left. */
export function returnMemory(log: Logger, collect: () => void = reducingCollection()): void {
  const before = getHeapStatistics().total_heap_size;
  const started = performance.now();
  collect();
  const after = getHeapStatistics().total_heap_size;
  log.debug(
    {
      ms: Math.round(performance.now() - started),
      heapMiB: +(after / 2 ** 20).toFixed(1),
      returnedMiB: +((before - after) / 2 ** 20).toFixed(1),
    },
    "returned the heap's free memory to the operating system",
  );
}
