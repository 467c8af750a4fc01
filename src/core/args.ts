import { err, ok, type Result } from "./result.ts";
import { excerpt } from "./excerpt.ts";

/** Splits command text into words; single and double quotes (also Slack's curly quotes) group words. */
export function tokenize(text: string): Result<string[]> {
  const normalised = text.replace(/[“”]/g, '"').replace(/[‘’]/g, "'");
  const words: string[] = [];
  let current = "";
  let quote: string | null = null;
  let inWord = false;
  for (const ch of normalised) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) return err(`unclosed quote ${quote}`);
  if (inWord) words.push(current);
  return ok(words);
}

export interface FlagSpec {
  /** canonical name → aliases, e.g. namespace: ["-n", "--namespace"] */
  readonly [name: string]: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string>;
}

/** Separates flags that take a value (`-n shop`, `--since=6h`), and `switches` that take none, from positional words. */
export function parseFlags(
  words: readonly string[],
  spec: FlagSpec,
  switches: readonly string[] = [],
): Result<ParsedArgs> {
  const byAlias = new Map<string, string>();
  for (const [name, aliases] of Object.entries(spec)) for (const a of aliases) byAlias.set(a, name);
  const positionals: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    // a negative number is a value the command judges ("replicas must be positive"), not an option
    if (!word.startsWith("-") || word === "-" || /^-\d+(\.\d+)?$/.test(word)) {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const alias = eq > 0 ? word.slice(0, eq) : word;
    const name = byAlias.get(alias);
    if (!name) return err(`unknown option ${excerpt(alias)}`);
    if (switches.includes(name)) {
      if (eq > 0) return err(`option ${excerpt(alias)} takes no value`);
      flags[name] = "true";
      continue;
    }
    const value = eq > 0 ? word.slice(eq + 1) : words[++i];
    if (value === undefined || value === "") return err(`option ${alias} needs a value`);
    if (name in flags) return err(`option ${alias} is given twice`);
    flags[name] = value;
  }
  return ok({ positionals, flags });
}
