import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { encodePng } from "./encode-png.ts";

/**
 * SVG → PNG without a browser or a native addon: resvg compiled to WebAssembly, with DejaVu Sans from
 * npm (no system fonts, so a chart renders the same on every machine). Runs inside the chart worker
 * (svg-to-png.ts), loaded on its first chart.
 */
const require = createRequire(import.meta.url);
let fonts: Promise<Uint8Array[]> | undefined;

function ready(): Promise<Uint8Array[]> {
  fonts ??= (async () => {
    const [wasm, sans, bold] = await Promise.all([
      readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm")),
      readFile(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
      readFile(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")),
    ]);
    await initWasm(wasm);
    return [sans, bold];
  })();
  fonts.catch(() => {
    fonts = undefined;
  }); // a failed load is retried on the next chart
  return fonts;
}

export async function renderPng(svg: string): Promise<Uint8Array> {
  const fontBuffers = await ready();
  const r = new Resvg(svg, {
    font: { fontBuffers, defaultFontFamily: "DejaVu Sans", loadSystemFonts: false },
    background: "#ffffff",
  });
  try {
    const image = r.render();
    try {
      return encodePng(image.width, image.height, image.pixels);
    } finally {
      image.free();
    }
  } finally {
    r.free();
  }
}
