import { GLYPH_ATLAS } from "./glyph-atlas.ts";

/** A pre-drawn glyph: its advance, where its bitmap sits against the pen (left, top above the baseline), its alpha. */
export interface Glyph {
  advance: number;
  left: number;
  top: number;
  w: number;
  h: number;
  alpha: Uint8Array;
}
export type Face = keyof typeof GLYPH_ATLAS;

const faces = new Map<Face, Map<number, Glyph>>();

/** The glyphs of a face, unpacked from the atlas on first use (a few kilobytes each). */
export function glyphsOf(face: Face): Map<number, Glyph> {
  const known = faces.get(face);
  if (known) return known;
  const bytes = Buffer.from(GLYPH_ATLAS[face], "base64");
  const glyphs = new Map<number, Glyph>();
  for (let at = 0; at < bytes.length;) {
    const code = (bytes[at]! << 8) | bytes[at + 1]!;
    const advance = ((bytes[at + 2]! << 8) | bytes[at + 3]!) / 16;
    const [left, top, w, h] = [bytes[at + 4]! - 128, bytes[at + 5]! - 128, bytes[at + 6]!, bytes[at + 7]!];
    glyphs.set(code, { advance, left, top, w, h, alpha: bytes.subarray(at + 8, at + 8 + w * h) });
    at += 8 + w * h;
  }
  faces.set(face, glyphs);
  return glyphs;
}

/** The glyph for a character; "?" for one the atlas does not have. */
export function glyph(glyphs: Map<number, Glyph>, ch: string): Glyph {
  return glyphs.get(ch.codePointAt(0) ?? 63) ?? (glyphs.get(63) as Glyph);
}

export function textWidth(face: Face, text: string): number {
  const glyphs = glyphsOf(face);
  let w = 0;
  for (const ch of text) w += glyph(glyphs, ch).advance;
  return w;
}
