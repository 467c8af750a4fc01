/** The words of a diagnosis (`/mem diagnose …`, `memops diagnose …`) → a request; shared by the slash command and the CLI. */
import { type ParsedArgs, parseFlags } from "../core/args.ts";
import { parseDuration } from "../core/duration.ts";
import { err, ok, type Result } from "../core/result.ts";
import { parseTarget } from "../core/target.ts";
import type { DiagnoseRequest } from "../engine/run-diagnosis.ts";
import { excerpt } from "../core/excerpt.ts";

/** What a request leaves out: the namespace and window memops is configured with. */
export interface CommandDefaults {
  namespace: string;
  windowSeconds: number;
}

const MIN_WINDOW = 10 * 60;
const MAX_WINDOW = 14 * 86_400;

export const DIAGNOSE_FLAGS = {
  namespace: ["-n", "--namespace"],
  selector: ["-l", "--selector"],
  since: ["--since"],
  runbook: ["--runbook"],
} as const;

/** `<target> [-n ns] [-l selector] [--since 6h] [--runbook id]` → a diagnosis request. */
export function parseDiagnose(words: readonly string[], defaults: CommandDefaults) {
  const parsed = parseFlags(words, DIAGNOSE_FLAGS);
  return parsed.ok ? diagnoseRequest(parsed.value, defaults) : parsed;
}

export function diagnoseRequest(
  { positionals, flags }: ParsedArgs,
  defaults: CommandDefaults,
): Result<DiagnoseRequest> {
  let windowSeconds = defaults.windowSeconds;
  if (flags["since"] !== undefined) {
    const d = parseDuration(flags["since"]);
    if (!d.ok) return err(`--since: ${d.error}`);
    if (d.value < MIN_WINDOW || d.value > MAX_WINDOW)
      return err(`--since must be between 10m and 14d (got ${excerpt(flags["since"] ?? "")})`);
    windowSeconds = d.value;
  }
  if (positionals.length > 1) return err(`one target at a time (got ${excerpt(positionals.join(", "))})`);
  const target = parseTarget(positionals[0], flags["namespace"] ?? defaults.namespace, flags["selector"]);
  if (!target.ok) return target;
  const req: DiagnoseRequest = {
    target: target.value,
    windowSeconds,
    ...(flags["runbook"] ? { runbookId: flags["runbook"] } : {}),
  };
  return ok(req);
}
