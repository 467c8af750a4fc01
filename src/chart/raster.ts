import type { Color, Stroke } from "../core/chart/chart-scene.ts";
import { scanline } from "./encode-png.ts";
import { type Face, glyph, glyphsOf, textWidth } from "./glyphs.ts";

/**
 * A small anti-aliased rasteriser for what memops's charts draw: filled and outlined rectangles, strokes
 * along polylines (dashed or not, round joins), rings and pre-drawn text. Each shape is first drawn as
 * coverage into a mask (the larger coverage wins where a line meets itself), then blended once in its
 * colour, so a polyline's joints are not darker than its segments. Memory: the pixels, stored as PNG
 * scanlines (RGB, a filter byte per row) so they compress without a copy, and a byte of coverage each.
 */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Point {
  x: number;
  y: number;
}

const rgb = (c: Color): [number, number, number] => {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
  if (!m) throw new Error(`not a colour: ${c}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
};

/** The pieces of a polyline a dash pattern leaves drawn, continuing the pattern across its corners. */
function dashed(points: readonly Point[], [on, off]: readonly [number, number]): Point[][] {
  const pieces: Point[][] = [];
  let drawing = true;
  let left = on;
  let piece: Point[] = points[0] ? [points[0]] : [];
  for (let i = 1; i < points.length; i++) {
    let a = points[i - 1]!;
    const b = points[i]!;
    let len = Math.hypot(b.x - a.x, b.y - a.y);
    while (len > left) {
      const f = left / len;
      const cut = { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
      if (drawing) pieces.push([...piece, cut]);
      piece = [cut];
      drawing = !drawing;
      len -= left;
      left = drawing ? on : off;
      a = cut;
    }
    left -= len;
    piece.push(b);
  }
  if (drawing && piece.length > 1) pieces.push(piece);
  return pieces;
}

export class Raster {
  readonly width: number;
  readonly height: number;
  /** RGB as PNG scanlines: per row a filter byte (0), then three bytes per pixel */
  readonly scanlines: Uint8Array;
  readonly #stride: number;
  /** coverage of each pixel by the shape being drawn, 0–255 */
  readonly #mask: Uint8Array;
  /** per row, the span of columns the mask has coverage in (first > last: none) */
  readonly #first: Int32Array;
  readonly #last: Int32Array;
  #rows = { y0: Infinity, y1: -Infinity };

  constructor(width: number, height: number, background: Color = "#ffffff") {
    this.width = width;
    this.height = height;
    this.#stride = scanline(width);
    this.scanlines = new Uint8Array(this.#stride * height);
    this.#mask = new Uint8Array(width * height);
    this.#first = new Int32Array(height).fill(width);
    this.#last = new Int32Array(height).fill(-1);
    const [r, g, b] = rgb(background);
    if (r === 255 && g === 255 && b === 255) this.scanlines.fill(255);
    else
      for (let p = 0; p < this.scanlines.length; p += 3) {
        this.scanlines[p] = r;
        this.scanlines[p + 1] = g;
        this.scanlines[p + 2] = b;
      }
    for (let y = 0; y < height; y++) this.scanlines[y * this.#stride] = 0; // filter: none
  }

  /** The colour at a pixel, [r, g, b]. */
  at(x: number, y: number): [number, number, number] {
    const p = y * this.#stride + 1 + x * 3;
    return [this.scanlines[p]!, this.scanlines[p + 1]!, this.scanlines[p + 2]!];
  }

  fillRect(box: Box, color: Color, clip?: Box): void {
    const x0 = Math.max(0, Math.floor(box.x)),
      x1 = Math.min(this.width, Math.ceil(box.x + box.w));
    const y0 = Math.max(0, Math.floor(box.y)),
      y1 = Math.min(this.height, Math.ceil(box.y + box.h));
    const overlap = (lo: number, hi: number, p: number) => Math.max(0, Math.min(hi, p + 1) - Math.max(lo, p));
    for (let py = y0; py < y1; py++) {
      const cy = overlap(box.y, box.y + box.h, py);
      for (let px = x0; px < x1; px++) this.#cover(px, py, cy * overlap(box.x, box.x + box.w, px));
    }
    this.#paint(color, clip);
  }

  strokeRect(box: Box, color: Color, clip?: Box): void {
    const { x, y, w, h } = box;
    const corners = [
      { x, y },
      { x: x + w, y },
      { x: x + w, y: y + h },
      { x, y: y + h },
      { x, y },
    ];
    this.strokePath(corners, { color, width: 1 }, clip);
  }

  strokePath(points: readonly Point[], stroke: Stroke, clip?: Box): void {
    const pieces = stroke.dash ? dashed(points, stroke.dash) : [points];
    for (const piece of pieces)
      for (let i = 1; i < piece.length; i++) this.#segment(piece[i - 1]!, piece[i]!, stroke.width / 2);
    this.#paint(stroke.color, clip);
  }

  strokeRing(center: Point, r: number, stroke: Stroke, clip?: Box): void {
    const hw = stroke.width / 2;
    const reach = r + hw + 1;
    for (let py = Math.floor(center.y - reach); py <= Math.ceil(center.y + reach); py++)
      for (let px = Math.floor(center.x - reach); px <= Math.ceil(center.x + reach); px++) {
        const d = Math.abs(Math.hypot(px + 0.5 - center.x, py + 0.5 - center.y) - r);
        this.#cover(px, py, hw + 0.5 - d);
      }
    this.#paint(stroke.color, clip);
  }

  /** Text on a baseline at y, anchored at x; a halo first draws it thickened in white, to stand out over lines. */
  text(
    t: {
      x: number;
      y: number;
      text: string;
      face: Face;
      color: Color;
      anchor?: "start" | "middle" | "end";
      halo?: boolean;
    },
    clip?: Box,
  ): void {
    const width = textWidth(t.face, t.text);
    const start = t.anchor === "end" ? t.x - width : t.anchor === "middle" ? t.x - width / 2 : t.x;
    const draw = (dx: number, dy: number, weight: number) => {
      const glyphs = glyphsOf(t.face);
      let pen = start;
      for (const ch of t.text) {
        const g = glyph(glyphs, ch);
        const gx = Math.round(pen) + g.left + dx,
          gy = Math.round(t.y) - g.top + dy;
        for (let y = 0; y < g.h; y++)
          for (let x = 0; x < g.w; x++) this.#cover(gx + x, gy + y, (g.alpha[y * g.w + x]! / 255) * weight);
        pen += g.advance;
      }
    };
    if (t.halo) {
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) draw(dx, dy, 1);
      for (const [dx, dy] of [
        [2, 0],
        [-2, 0],
        [0, 2],
        [0, -2],
      ] as const)
        draw(dx, dy, 0.5);
      this.#paint("#ffffff", clip);
    }
    draw(0, 0, 1);
    this.#paint(t.color, clip);
  }

  /** Coverage of a pixel by a stroke of half-width hw along a→b (round ends: joints and caps come out round). */
  #segment(a: Point, b: Point, hw: number): void {
    const reach = hw + 1;
    const dx = b.x - a.x,
      dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    for (let py = Math.floor(Math.min(a.y, b.y) - reach); py <= Math.ceil(Math.max(a.y, b.y) + reach); py++)
      for (let px = Math.floor(Math.min(a.x, b.x) - reach); px <= Math.ceil(Math.max(a.x, b.x) + reach); px++) {
        const cx = px + 0.5 - a.x,
          cy = py + 0.5 - a.y;
        const f = len2 === 0 ? 0 : Math.max(0, Math.min(1, (cx * dx + cy * dy) / len2));
        const ex = cx - f * dx,
          ey = cy - f * dy;
        this.#cover(px, py, hw + 0.5 - Math.sqrt(ex * ex + ey * ey));
      }
  }

  #cover(px: number, py: number, coverage: number): void {
    if (coverage <= 0 || px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    const i = py * this.width + px;
    const c = coverage >= 1 ? 255 : Math.round(coverage * 255);
    if (c > this.#mask[i]!) this.#mask[i] = c;
    if (px < this.#first[py]!) this.#first[py] = px;
    if (px > this.#last[py]!) this.#last[py] = px;
    if (py < this.#rows.y0) this.#rows.y0 = py;
    if (py > this.#rows.y1) this.#rows.y1 = py;
  }

  /** Blends the mask in a colour (inside the clip only) and clears it. */
  #paint(color: Color, clip?: Box): void {
    const [r, g, b] = rgb(color);
    // the pixels wholly inside the clip (half a pixel of tolerance at its far edges)
    const [cx0, cx1] = clip ? [Math.ceil(clip.x), Math.floor(clip.x + clip.w + 0.5) - 1] : [0, this.width - 1];
    const [cy0, cy1] = clip ? [Math.ceil(clip.y), Math.floor(clip.y + clip.h + 0.5) - 1] : [0, this.height - 1];
    for (let py = this.#rows.y0; py <= this.#rows.y1; py++) {
      const last = this.#last[py]!;
      const row = py >= cy0 && py <= cy1;
      for (let px = this.#first[py]!; px <= last; px++) {
        const i = py * this.width + px;
        const m = this.#mask[i]!;
        if (m === 0) continue;
        this.#mask[i] = 0;
        if (!row || px < cx0 || px > cx1) continue;
        const a = m * (1 / 255);
        const p = py * this.#stride + 1 + px * 3;
        const s = this.scanlines;
        s[p] = s[p]! + (r - s[p]!) * a + 0.5;
        s[p + 1] = s[p + 1]! + (g - s[p + 1]!) * a + 0.5;
        s[p + 2] = s[p + 2]! + (b - s[p + 2]!) * a + 0.5;
      }
      this.#first[py] = this.width;
      this.#last[py] = -1;
    }
    this.#rows = { y0: Infinity, y1: -Infinity };
  }
}
