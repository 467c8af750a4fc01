import type { LimitStep } from "./limit-history.ts";
import type { Sample } from "./model.ts";
import { err, ok, type Result } from "./result.ts";

/** One container's memory over time, as `memops analyze` reads it from a file. */
export interface Trace {
  workingSet: Sample[];
  rss: Sample[];
  restarts: Sample[];
  /** times of OOM kills */
  oomAt: number[];
  /** the limit and the request in force from each change on (limit_bytes, request_bytes), when the file has them */
  limits?: LimitStep[];
  requests?: LimitStep[];
}

const COLUMNS = [
  "timestamp",
  "working_set_bytes",
  "rss_bytes",
  "restarts",
  "oom_killed",
  "limit_bytes",
  "request_bytes",
] as const;
type Column = (typeof COLUMNS)[number];
type Row = Partial<Record<Column, unknown>>;
/** A cell or JSON value as the user wrote it, for error messages. */
const shown = (v: unknown) =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function timestamp(v: unknown): Result<number> {
  if (typeof v === "number" || (typeof v === "string" && /^\d+(\.\d+)?$/.test(v.trim()))) {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) return err(`timestamp "${String(v)}" is not a Unix time in seconds`);
    if (n > 1e11) return err(`timestamp ${String(v)} looks like milliseconds; use Unix seconds or RFC 3339`);
    return ok(n);
  }
  if (typeof v === "string" && RFC3339.test(v.trim())) return rfc3339(v.trim());
  return err(`timestamp "${String(v)}" is neither Unix seconds nor RFC 3339 (2026-11-21T10:00:00Z)`);
}

/** An RFC 3339 time whose every field is in range (Date.parse alone rolls 2026-02-30 over, or gives NaN). */
function rfc3339(s: string): Result<number> {
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0] = s.split(/[-Tt :.Zz+]/).map(Number);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate(); // days in that month
  const ms = Date.parse(s);
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= days && h <= 23 && mi <= 59 && sec <= 60) || !Number.isFinite(ms))
    return err(`timestamp "${s}" is not a real time (month, day, hour, minute or second out of range)`);
  return ok(ms / 1000);
}

/** No machine has more memory than this (1 EiB): a larger value is a mistake in the file, not a measurement. */
const MAX_BYTES = 2 ** 60;

function bytes(name: Column, v: unknown): Result<number | null> {
  if (v === undefined || v === null || v === "") return ok(null);
  const n =
    typeof v === "number" ? v : typeof v === "string" && /^\d+(\.\d+)?([eE]\+?\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) return err(`${name} "${shown(v)}" is not a number of bytes`);
  if (n > MAX_BYTES) return err(`${name} ${shown(v)} is more memory than any machine has (at most 1Ei)`);
  return ok(n);
}

function flag(v: unknown): Result<boolean> {
  if (v === undefined || v === null || v === "") return ok(false);
  const s = shown(v).trim().toLowerCase();
  if (s === "1" || s === "true") return ok(true);
  if (s === "0" || s === "false") return ok(false);
  return err(`oom_killed "${shown(v)}" must be 0, 1, true or false`);
}

/** Adds one row to the trace; the error names what is wrong with it. */
function addRow(trace: Trace, row: Row, previous: number | null): Result<number> {
  const t = timestamp(row.timestamp);
  if (!t.ok) return t;
  if (previous !== null && t.value <= previous)
    return err(`timestamp ${String(row.timestamp)} is not after the previous row's: rows must be in time order`);
  const ws = bytes("working_set_bytes", row.working_set_bytes);
  if (!ws.ok) return ws;
  if (ws.value === null) return err("working_set_bytes is missing");
  const rss = bytes("rss_bytes", row.rss_bytes);
  if (!rss.ok) return rss;
  const restarts = bytes("restarts", row.restarts);
  if (!restarts.ok) return restarts;
  if (restarts.value !== null && !Number.isInteger(restarts.value))
    return err(`restarts "${String(row.restarts)}" must be a whole number (the container's restart counter)`);
  const oom = flag(row.oom_killed);
  if (!oom.ok) return oom;
  const limit = bytes("limit_bytes", row.limit_bytes);
  if (!limit.ok) return limit;
  const request = bytes("request_bytes", row.request_bytes);
  if (!request.ok) return request;
  if (limit.value === 0) return err("limit_bytes 0 is not a limit (leave the cell empty where none is known)");
  if (limit.value !== null && request.value !== null && request.value > limit.value)
    return err(`request_bytes ${request.value} is above limit_bytes ${limit.value}: Kubernetes refuses that`);
  trace.workingSet.push({ t: t.value, v: ws.value });
  if (rss.value !== null) trace.rss.push({ t: t.value, v: rss.value });
  if (restarts.value !== null) trace.restarts.push({ t: t.value, v: restarts.value });
  if (oom.value) trace.oomAt.push(t.value);
  // a step where the value changes; an empty cell keeps the one before
  if (limit.value !== null && trace.limits?.at(-1)?.bytes !== limit.value)
    (trace.limits ??= []).push({ from: t.value, bytes: limit.value });
  if (request.value !== null && trace.requests?.at(-1)?.bytes !== request.value)
    (trace.requests ??= []).push({ from: t.value, bytes: request.value });
  return ok(t.value);
}

const empty = (): Trace => ({ workingSet: [], rss: [], restarts: [], oomAt: [], limits: [], requests: [] });
const unknownColumns = (names: readonly string[]) => names.filter((n) => !(COLUMNS as readonly string[]).includes(n));

function parseCsv(text: string): Result<Trace> {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== "" && !l.startsWith("#"));
  if (headerAt < 0) return err("the file is empty");
  const header = (lines[headerAt] ?? "").split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
  const unknown = unknownColumns(header);
  if (unknown.length > 0)
    return err(
      `line ${headerAt + 1}: unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; the columns are ${COLUMNS.join(", ")}`,
    );
  if (!header.includes("timestamp") || !header.includes("working_set_bytes"))
    return err(`line ${headerAt + 1}: the header needs timestamp and working_set_bytes (found: ${header.join(",")})`);
  const trace = empty();
  let previous: number | null = null;
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "" || line.startsWith("#")) continue;
    const cells = line.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
    if (cells.length !== header.length)
      return err(`line ${i + 1}: ${cells.length} values for ${header.length} columns`);
    const row: Row = Object.fromEntries(header.map((h, j) => [h, cells[j]]));
    const added = addRow(trace, row, previous);
    if (!added.ok) return err(`line ${i + 1}: ${added.error}`);
    previous = added.value;
  }
  return ok(trace);
}

function parseJson(text: string): Result<Trace> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec(String(e))?.[1];
    const line = at === undefined ? null : text.slice(0, Number(at)).split("\n").length;
    return err(`${line ? `line ${line}: ` : ""}not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const rows: unknown[] | null = Array.isArray(doc)
    ? (doc as unknown[])
    : doc && typeof doc === "object" && Array.isArray((doc as { samples?: unknown }).samples)
      ? (doc as { samples: unknown[] }).samples
      : null;
  if (!rows) return err('expected an array of samples, or an object with a "samples" array');
  // Entries are reported with the line they start on, found by scanning for each object's opening brace.
  const starts: number[] = [];
  let line = 1,
    depth = 0,
    inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") {
      if (depth === (Array.isArray(doc) ? 0 : 1)) starts.push(line);
      depth++;
    } else if (ch === "}") depth--;
    if (ch === "\n") line++;
  }
  const trace = empty();
  let previous: number | null = null;
  for (const [i, row] of rows.entries()) {
    const where = `line ${starts[i] ?? "?"} (sample ${i + 1})`;
    if (!row || typeof row !== "object" || Array.isArray(row))
      return err(`${where}: each sample must be an object with timestamp and working_set_bytes`);
    const unknown = unknownColumns(Object.keys(row));
    if (unknown.length > 0)
      return err(
        `${where}: unknown field ${unknown.map((u) => `"${u}"`).join(", ")}; the fields are ${COLUMNS.join(", ")}`,
      );
    const added = addRow(trace, row, previous);
    if (!added.ok) return err(`${where}: ${added.error}`);
    previous = added.value;
  }
  return ok(trace);
}

/** Reads a trace from CSV (with a header) or JSON; the error names the line. */
export function parseTrace(text: string): Result<Trace> {
  const body = text.replace(/^\uFEFF/, "");
  const parsed = /^\s*[[{]/.test(body) ? parseJson(body) : parseCsv(body);
  if (!parsed.ok) return parsed;
  if (parsed.value.workingSet.length < 2)
    return err(
      `only ${parsed.value.workingSet.length} sample${parsed.value.workingSet.length === 1 ? "" : "s"}: at least 2 are needed`,
    );
  return parsed;
}
