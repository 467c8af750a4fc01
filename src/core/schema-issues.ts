/**
 * A schema's issues as lines a person can act on, each prefixed with where in the input it is
 * ("steps.2.kind: …"). valibot's own wording is kept for type and range problems; a key that is missing
 * or not known says so in words.
 */
import type { BaseIssue } from "valibot";

export function issueLines(issues: readonly BaseIssue<unknown>[], root = "(root)"): string[] {
  return issues.map((i) => {
    const keys = (i.path ?? []).map((p) => String(p.key));
    if (i.type.endsWith("object") && i.expected === "never") {
      // a key a strict object does not have: named at its parent
      const key = keys.pop();
      return `${keys.join(".") || root}: unknown key "${key}"`;
    }
    if (i.type.endsWith("object") && i.input === undefined && i.expected?.startsWith('"'))
      return `${keys.join(".")}: required`;
    return `${keys.join(".") || root}: ${i.message}`;
  });
}
