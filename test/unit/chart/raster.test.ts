import { describe, expect, it } from "vitest";
import { textWidth } from "../../../src/chart/glyphs.ts";
import { Raster } from "../../../src/chart/raster.ts";

const px = (r: Raster, x: number, y: number) => r.at(x, y);
const white = [255, 255, 255];
/** A horizontal line across the raster at height y. */
const across = (r: Raster, y: number) => [
  { x: 0, y },
  { x: r.width, y },
];

describe("the chart rasteriser", () => {
  it("covers a fractional rectangle's edge pixels in part", () => {
    const r = new Raster(10, 4);
    r.fillRect({ x: 2.5, y: 0, w: 5, h: 4 }, "#000000");
    expect(px(r, 1, 1)).toEqual(white);
    expect(px(r, 2, 1)).toEqual([127, 127, 127]);
    expect(px(r, 4, 1)).toEqual([0, 0, 0]);
    expect(px(r, 7, 1)).toEqual([127, 127, 127]);
    expect(px(r, 8, 1)).toEqual(white);
  });

  it("strokes a 2 px line solid along its middle and leaves gaps where it is dashed", () => {
    const r = new Raster(40, 10);
    r.strokePath(across(r, 5), { color: "#0000ff", width: 2, dash: [5, 5] });
    const row = Array.from({ length: 40 }, (_, x) => px(r, x, 4));
    expect(row[2]).toEqual([0, 0, 255]);
    expect(row[7]).toEqual(white);
    expect(row[12]).toEqual([0, 0, 255]);
    expect(px(r, 2, 1)).toEqual(white);
  });

  it("draws a polyline's joints no darker than its segments (coverage, not overdraw)", () => {
    const r = new Raster(30, 30);
    r.strokePath(
      [
        { x: 2, y: 15 },
        { x: 15, y: 15.5 },
        { x: 28, y: 15 },
      ],
      { color: "#000000", width: 2 },
    );
    expect(px(r, 15, 15)).toEqual([0, 0, 0]);
    expect(px(r, 8, 15)[0]).toBeLessThan(20);
  });

  it("draws nothing outside a clip", () => {
    const r = new Raster(20, 20);
    r.strokePath(across(r, 10), { color: "#000000", width: 3 }, { x: 5, y: 0, w: 10, h: 20 });
    expect(px(r, 2, 10)).toEqual(white);
    expect(px(r, 10, 10)).toEqual([0, 0, 0]);
    expect(px(r, 17, 10)).toEqual(white);
  });

  it("writes text where its anchor puts it, with a white halo over what is beneath", () => {
    const r = new Raster(120, 30);
    r.fillRect({ x: 0, y: 0, w: 120, h: 30 }, "#ff0000");
    r.text({ x: 110, y: 20, text: "512Mi", face: "11", color: "#000000", anchor: "end", halo: true });
    const w = textWidth("11", "512Mi");
    expect(w).toBeGreaterThan(25);
    const inked = (x0: number, x1: number) =>
      Array.from({ length: x1 - x0 }, (_, i) => Array.from({ length: 30 }, (_, y) => px(r, x0 + i, y))).flat();
    // dark ink inside the text's box, white halo around it, untouched red far from it
    expect(inked(Math.ceil(110 - w), 110).some(([red]) => red < 60)).toBe(true);
    expect(inked(Math.ceil(110 - w), 110).some(([red, g]) => red > 200 && g > 200)).toBe(true);
    expect(px(r, 10, 20)).toEqual([255, 0, 0]);
    expect(px(r, 115, 20)).toEqual([255, 0, 0]);
  });

  it("draws a character the glyphs do not have as '?', not as nothing", () => {
    expect(textWidth("11", "日")).toBe(textWidth("11", "?"));
  });
});
