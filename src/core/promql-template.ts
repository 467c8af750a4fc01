/**
 * A runbook's PromQL with {{namespace}} and {{pods}} filled in. Each value is escaped for the string
 * literal it lands in — "…" and '…' take backslash escapes, `…` is raw — so a pod pattern with `\.`
 * stays the regex it was, and a value can never close its string and add PromQL of its own.
 */
import { err, ok, type Result } from "./result.ts";

const PLACEHOLDERS = ["namespace", "pods"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

type Quote = '"' | "'" | "`";

interface Piece {
  text: string;
  /** a placeholder, and the quote of the string literal it sits in */
  slot?: { name: Placeholder; quote: Quote };
}

/** Splits the query at its placeholders; each must sit inside a string literal. */
export function parseTemplate(query: string): Result<Piece[]> {
  const pieces: Piece[] = [];
  let quote: Quote | null = null;
  let text = "";
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    const placeholder = /^\{\{\s*([a-z]+)\s*\}\}/.exec(query.slice(i, i + 24));
    if (placeholder) {
      const name = placeholder[1] as Placeholder;
      if (!PLACEHOLDERS.includes(name))
        return err(`unknown placeholder {{${placeholder[1]}}}: use {{namespace}} or {{pods}}`);
      if (!quote) return err(`{{${name}}} must sit inside a quoted string, e.g. pod=~"{{pods}}"`);
      pieces.push({ text }, { text: "", slot: { name, quote } });
      text = "";
      i += placeholder[0].length - 1;
      continue;
    }
    text += c;
    if (quote) {
      if (c === "\\" && quote !== "`") text += query[++i] ?? "";
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
  }
  if (quote) return err(`a ${quote}-quoted string is not closed`);
  pieces.push({ text });
  return ok(pieces);
}

function escapeFor(value: string, quote: Quote): Result<string> {
  if (quote === "`") return value.includes("`") ? err("a value with ` cannot go into a `-quoted string") : ok(value);
  return ok(value.replace(/\\/g, "\\\\").replaceAll(quote, `\\${quote}`).replace(/\n/g, "\\n"));
}

export function fillTemplate(query: string, values: Record<Placeholder, string>): Result<string> {
  const pieces = parseTemplate(query);
  if (!pieces.ok) return pieces;
  let out = "";
  for (const p of pieces.value) {
    if (!p.slot) {
      out += p.text;
      continue;
    }
    const v = escapeFor(values[p.slot.name], p.slot.quote);
    if (!v.ok) return v;
    out += v.value;
  }
  return ok(out);
}
