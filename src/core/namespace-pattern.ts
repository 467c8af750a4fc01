/** Namespace patterns in the policy file: a name, a prefix such as "billing-*", or "*" for all. */
import * as v from "valibot";

export const nsPattern = v.pipe(
  v.string(),
  // a name, a prefix such as "billing-*" (which may end in a dash), or everything
  v.regex(/^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?|[a-z0-9][-a-z0-9]*\*)$/, "a namespace, a prefix ending in *, or *"),
);

export const nsMatches = (pattern: string, ns: string): boolean =>
  pattern === "*" || pattern === ns || (pattern.endsWith("*") && ns.startsWith(pattern.slice(0, -1)));

/** The patterns as one anchored RE2 alternation, for a PromQL `namespace=~` matcher. */
export function nsRegex(patterns: readonly string[]): string {
  if (patterns.includes("*")) return ".+";
  return patterns.map((p) => (p.endsWith("*") ? `${p.slice(0, -1)}.*` : p)).join("|");
}
