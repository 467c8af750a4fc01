import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * SVG → PNG in a worker thread that exits after a minute without charts. resvg's WebAssembly memory
 * (~75 MiB once it has drawn text) only grows while it lives, so an idle memops gives it back instead
 * of carrying it next to its own limit; a burst of charts reuses one warm worker.
 */
const IDLE_MS = 60_000;
const TIMEOUT_MS = 30_000;
// the worker is png-worker.ts from the sources, png-worker.js from dist
const WORKER = new URL(`./png-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

let worker: Worker | null = null;
let idle: NodeJS.Timeout | undefined;
let seq = 0;
const waiting = new Map<
  number,
  { resolve: (png: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
>();

function failAll(e: Error) {
  for (const [id, w] of waiting) {
    clearTimeout(w.timer);
    w.reject(e);
    waiting.delete(id);
  }
}

function started(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER, { execArgv: [] }); // not the parent's flags (--input-type, --cpu-prof …)
  w.unref(); // never keeps the process alive
  w.on("message", (m: { id: number; png?: Uint8Array; error?: string }) => {
    const job = waiting.get(m.id);
    if (!job) return;
    waiting.delete(m.id);
    clearTimeout(job.timer);
    if (m.png) job.resolve(m.png);
    else job.reject(new Error(`the chart could not be drawn: ${m.error ?? "unknown error"}`));
  });
  w.on("error", (e: Error) => failAll(new Error(`the chart renderer failed: ${e.message}`)));
  w.on("exit", () => {
    if (worker === w) worker = null;
    failAll(new Error("the chart renderer stopped"));
  });
  worker = w;
  return w;
}

export function svgToPng(svg: string): Promise<Uint8Array> {
  clearTimeout(idle);
  const w = started();
  const id = ++seq;
  return new Promise<Uint8Array>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the chart took more than ${TIMEOUT_MS / 1000}s to draw`));
      void w.terminate();
    }, TIMEOUT_MS);
    waiting.set(id, { resolve, reject, timer });
    w.postMessage({ id, svg });
  }).finally(() => {
    if (waiting.size === 0) idle = setTimeout(() => void stopChartWorker(), IDLE_MS).unref();
  });
}

/** Ends the worker now (its memory goes back to the system); the next chart starts a new one. */
export async function stopChartWorker(): Promise<void> {
  clearTimeout(idle);
  const w = worker;
  worker = null;
  await w?.terminate();
}
