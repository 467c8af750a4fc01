import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { parsePolicy, type Policy } from "./core/remediation/policy.ts";

/** Reads the approval policy; problems come back as `file:path: message`, all at once. */
export async function loadPolicy(file: string): Promise<{ ok: true; value: Policy } | { ok: false; error: string[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    return {
      ok: false,
      error: [`${file}: cannot read the policy file (${(e as NodeJS.ErrnoException).code ?? String(e)})`],
    };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0)
    return {
      ok: false,
      error: doc.errors.map(
        (e) => `${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split("\n")[0] ?? "invalid YAML"}`,
      ),
    };
  const parsed = parsePolicy(doc.toJS());
  return parsed.ok ? parsed : { ok: false, error: parsed.error.map((m) => `${file}:${m}`) };
}

/** The user groups a policy names, so their members can be looked up. */
export function policyGroups(p: Policy): string[] {
  return [...new Set(p.rules.flatMap((r) => [...r.request, ...r.approve]).filter((w) => w.startsWith("S")))];
}
