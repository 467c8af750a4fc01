import { crc32, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodePng } from "../../../src/chart/encode-png.ts";
import { Raster } from "../../../src/chart/raster.ts";

/** The chunks of a PNG, each checked against its CRC. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const typed = png.subarray(at + 4, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(typed));
    out.push({ type: typed.subarray(0, 4).toString("latin1"), data: Buffer.from(typed.subarray(4)) });
    at += 12 + len;
  }
  return out;
}

/** Width, height and RGB of a PNG as encodePng writes them (8-bit RGB, no filtering). */
function decode(png: Buffer): { width: number; height: number; rgb: Buffer } {
  const cs = chunks(png);
  expect(cs.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
  const ihdr = cs[0]!.data;
  const [width, height] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)];
  expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
  const raw = inflateSync(cs[1]!.data);
  const stride = width * 3 + 1;
  expect(raw.length).toBe(stride * height);
  const rows = Array.from({ length: height }, (_, y) => {
    expect(raw[y * stride]).toBe(0);
    return raw.subarray(y * stride + 1, (y + 1) * stride);
  });
  return { width, height, rgb: Buffer.concat(rows) };
}

describe("PNG encoding", () => {
  it("writes the scanlines it is given, in valid chunks", () => {
    const pixels = Array.from({ length: 3 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const scanlines = Uint8Array.from([0, ...pixels.slice(0, 9), 0, ...pixels.slice(9)]);
    const out = decode(Buffer.from(encodePng(3, 2, scanlines)));
    expect(out).toMatchObject({ width: 3, height: 2 });
    expect([...out.rgb]).toEqual(pixels);
  });

  it("refuses scanlines that do not fill the image", () => {
    expect(() => encodePng(3, 2, new Uint8Array(19))).toThrow("expected 20 bytes of scanlines, got 19");
  });

  it("carries what the rasteriser drew: a red square on the white background", () => {
    const r = new Raster(20, 10);
    r.fillRect({ x: 10, y: 0, w: 10, h: 10 }, "#ff0000");
    const { width, height, rgb } = decode(Buffer.from(encodePng(r.width, r.height, r.scanlines)));
    expect([width, height]).toEqual([20, 10]);
    const at = (x: number, y: number) => [...rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];
    expect(at(2, 5)).toEqual([255, 255, 255]);
    expect(at(15, 5)).toEqual([255, 0, 0]);
  });
});
