import { parentPort } from "node:worker_threads";
import { renderPng } from "./resvg.ts";

/** Renders SVGs to PNGs off the main thread; the parent ends this worker when idle, freeing resvg's memory. */
parentPort?.on("message", (m: { id: number; svg: string }) => {
  renderPng(m.svg).then(
    (png) => parentPort?.postMessage({ id: m.id, png }, [png.buffer as ArrayBuffer]),
    (e: unknown) => parentPort?.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
