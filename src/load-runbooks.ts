import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import { parseRunbook, type Runbook } from "./core/runbook.ts";

/**
 * Loads and validates every runbooks/*.yaml. Problems come back all at once as `file:path: message`
 * (with the line where the YAML itself is broken), so an author fixes them in one pass.
 */
export async function loadRunbooks(
  dir: string,
): Promise<{ ok: true; value: Runbook[] } | { ok: false; error: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (e) {
    return {
      ok: false,
      error: [`${dir}: cannot read the runbooks directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`],
    };
  }
  if (names.length === 0) return { ok: false, error: [`${dir}: no runbooks (*.yaml) found`] };
  const runbooks: Runbook[] = [];
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    const lines = new LineCounter();
    const doc = parseDocument(await readFile(file, "utf8"), { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        errors.push(`${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split("\n")[0] ?? "invalid YAML"}`);
      continue;
    }
    if (!isMap(doc.contents)) {
      errors.push(`${file}: a runbook must be a YAML mapping`);
      continue;
    }
    const parsed = parseRunbook(doc.toJS());
    if (!parsed.ok) {
      errors.push(...parsed.error.map((m) => `${file}:${m}`));
      continue;
    }
    const other = seen.get(parsed.value.id);
    if (other) errors.push(`${file}:id: "${parsed.value.id}" is already used by ${other}`);
    seen.set(parsed.value.id, file);
    runbooks.push(parsed.value);
  }
  return errors.length > 0 ? { ok: false, error: errors } : { ok: true, value: runbooks };
}
