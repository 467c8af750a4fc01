/**
 * RFC 6902 JSON Patch, the part memops sends: `test` operations on the values a proposal was made from,
 * then the change. The API server applies it atomically (a failed test changes nothing); this applier
 * does the same for the in-memory clusters, so both refuse a stale card for the same reason.
 */
import { err, ok, type Result } from "../result.ts";

export type JsonPatchOp =
  | { op: "test"; path: string; value: unknown }
  | { op: "add" | "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

/** One JSON Pointer token: "~" and "/" escaped (RFC 6901). */
export const pointerToken = (s: string): string => s.replaceAll("~", "~0").replaceAll("/", "~1");
const unescape = (s: string): string => s.replaceAll("~1", "/").replaceAll("~0", "~");

/** A failed `test`: the object is no longer in the state the patch was made for. */
export const TEST_FAILED = "test-failed";

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

type Container = Record<string, unknown> | unknown[];

/** The parent of the pointer's target and the last token, or an error naming the missing part. */
function locate(doc: unknown, path: string): Result<{ parent: Container; key: string }> {
  if (!path.startsWith("/")) return err(`"${path}" is not a JSON pointer`);
  const tokens = path.slice(1).split("/").map(unescape);
  let node: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: unknown = Array.isArray(node)
      ? (node as unknown[])[Number(t)]
      : node !== null && typeof node === "object"
        ? (node as Record<string, unknown>)[t]
        : undefined;
    if (next === undefined || next === null || typeof next !== "object") return err(`${path}: no ${t}`);
    node = next;
  }
  return ok({ parent: node as Container, key: tokens.at(-1) ?? "" });
}

const read = (c: Container, key: string): unknown => (Array.isArray(c) ? c[Number(key)] : c[key]);

/** Applies the operations to a copy; the first failure leaves the document as it was. */
export function applyJsonPatch<T>(
  doc: T,
  ops: readonly JsonPatchOp[],
): Result<T, { code: typeof TEST_FAILED | "invalid"; message: string }> {
  const out = structuredClone(doc);
  for (const o of ops) {
    const at = locate(out, o.path);
    if (!at.ok) return err({ code: o.op === "test" ? TEST_FAILED : "invalid", message: at.error });
    const { parent, key } = at.value;
    const current = read(parent, key);
    if (o.op === "test") {
      if (!equal(current, o.value)) return err({ code: TEST_FAILED, message: `testing value ${o.path} failed` });
      continue;
    }
    if ((o.op === "replace" || o.op === "remove") && current === undefined)
      return err({ code: "invalid", message: `${o.path}: nothing to ${o.op}` });
    if (Array.isArray(parent)) {
      const i = key === "-" ? parent.length : Number(key);
      if (!Number.isInteger(i) || i < 0 || i > parent.length)
        return err({ code: "invalid", message: `${o.path}: bad index` });
      if (o.op === "remove") parent.splice(i, 1);
      else if (o.op === "add") parent.splice(i, 0, structuredClone(o.value));
      else parent[i] = structuredClone(o.value);
    } else if (o.op === "remove") {
      delete parent[key];
    } else {
      parent[key] = structuredClone(o.value);
    }
  }
  return ok(out);
}
