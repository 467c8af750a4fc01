/**
 * Just enough of the protobuf wire format to walk the API server's `application/vnd.kubernetes.protobuf`
 * answers without materialising them: fields are visited in order and anything not asked for is skipped
 * by its length. No schema, no allocation per skipped field.
 */

/** A length-delimited field's bytes: [start, end) of the buffer. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

function varint(buf: Uint8Array, pos: number, end: number): { value: number; pos: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new Error("protobuf: truncated varint");
    const b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, pos };
    scale *= 128;
  }
  throw new Error("protobuf: varint longer than 10 bytes");
}

/**
 * Calls `visit(field, span)` for each length-delimited field of the message in `within`, in order;
 * numeric fields are skipped (memops reads strings and nested messages only).
 */
export function eachField(buf: Uint8Array, within: Span, visit: (field: number, span: Span) => void): void {
  let pos = within.start;
  const end = within.end;
  while (pos < end) {
    const key = varint(buf, pos, end);
    pos = key.pos;
    const field = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (wire === WIRE.varint) pos = varint(buf, pos, end).pos;
    else if (wire === WIRE.fixed64) pos += 8;
    else if (wire === WIRE.fixed32) pos += 4;
    else if (wire === WIRE.bytes) {
      const len = varint(buf, pos, end);
      const span = { start: len.pos, end: len.pos + len.value };
      if (span.end > end) throw new Error("protobuf: field runs past its message");
      visit(field, span);
      pos = span.end;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
  if (pos !== end) throw new Error("protobuf: field runs past its message");
}

/** The first length-delimited field numbered `field`, or null. */
export function firstField(buf: Uint8Array, within: Span, field: number): Span | null {
  let found: Span | null = null;
  eachField(buf, within, (f, span) => {
    if (f === field && !found) found = span;
  });
  return found;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
export const text = (buf: Uint8Array, span: Span): string => utf8.decode(buf.subarray(span.start, span.end));

/** Whether the span holds exactly the ASCII string `s`, without decoding it. */
export function textIs(buf: Uint8Array, span: Span, s: string): boolean {
  if (span.end - span.start !== s.length) return false;
  for (let i = 0; i < s.length; i++) if (buf[span.start + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** The Kubernetes protobuf envelope: "k8s\0" then a runtime.Unknown whose field 2 holds the object. */
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

export function unwrapKubernetes(buf: Uint8Array): Span {
  if (buf.length < 4 || MAGIC.some((b, i) => buf[i] !== b)) throw new Error("not a Kubernetes protobuf answer");
  const raw = firstField(buf, { start: 4, end: buf.length }, 2);
  if (!raw) throw new Error("a Kubernetes protobuf answer without its object");
  return raw;
}
