import { crc32, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodePng } from "../../../src/chart/encode-png.ts";
import { svgToPng } from "../../../src/chart/svg-to-png.ts";

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

/** Width, height and RGBA of a PNG as encodePng writes them (8-bit RGBA, no filtering). */
function decode(png: Buffer): { width: number; height: number; rgba: Buffer } {
  const cs = chunks(png);
  expect(cs.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
  const ihdr = cs[0]!.data;
  const [width, height] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)];
  expect([...ihdr.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
  const raw = inflateSync(cs[1]!.data);
  const stride = width * 4 + 1;
  expect(raw.length).toBe(stride * height);
  const rows = Array.from({ length: height }, (_, y) => {
    expect(raw[y * stride]).toBe(0);
    return raw.subarray(y * stride + 1, (y + 1) * stride);
  });
  return { width, height, rgba: Buffer.concat(rows) };
}

describe("PNG encoding", () => {
  it("writes the pixels it is given, in valid chunks", () => {
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const out = decode(Buffer.from(encodePng(3, 2, rgba)));
    expect(out).toMatchObject({ width: 3, height: 2 });
    expect([...out.rgba]).toEqual([...rgba]);
  });

  it("refuses pixels that do not fill the image", () => {
    expect(() => encodePng(3, 2, new Uint8Array(23))).toThrow("expected 24 bytes of RGBA, got 23");
  });

  it("carries what resvg drew: a red square on the white background", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect x="10" width="10" height="10" fill="#ff0000"/></svg>';
    const { width, height, rgba } = decode(Buffer.from(await svgToPng(svg)));
    expect([width, height]).toEqual([20, 10]);
    const at = (x: number, y: number) => [...rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
    expect(at(2, 5)).toEqual([255, 255, 255, 255]);
    expect(at(15, 5)).toEqual([255, 0, 0, 255]);
  });
});
