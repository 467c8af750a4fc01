import { type ParsedArgs, parseFlags } from "../src/core/args.ts";
import { parseDuration } from "../src/core/duration.ts";
import { err, ok, type Result } from "../src/core/result.ts";
import { parseTarget } from "../src/core/target.ts";
import type { DiagnoseRequest } from "../src/engine/run-diagnosis.ts";
import { diagnoseInThread } from "../src/slack/diagnose-in-thread.ts";
import { command, type CommandDefaults } from "./command.ts";

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
      return err(`--since must be between 10m and 14d (got ${flags["since"]})`);
    windowSeconds = d.value;
  }
  if (positionals.length > 1) return err(`one target at a time (got ${positionals.join(", ")})`);
  const target = parseTarget(positionals[0], flags["namespace"] ?? defaults.namespace, flags["selector"]);
  if (!target.ok) return target;
  const req: DiagnoseRequest = {
    target: target.value,
    windowSeconds,
    ...(flags["runbook"] ? { runbookId: flags["runbook"] } : {}),
  };
  return ok(req);
}

export const diagnoseCommand = command<DiagnoseRequest>({
  name: "diagnose",
  summary: "Run the memory runbook for a workload and post the report in a thread",
  usage:
    "/mem diagnose <deploy/NAME|sts/NAME|ds/NAME|pod/NAME|ns/NAME|NAME> [-n NAMESPACE] [-l SELECTOR] [--since 6h] [--runbook ID]",
  quick: false,
  parse: parseDiagnose,
  async run(req, ctx) {
    const r = await diagnoseInThread(
      {
        audit: ctx.audit,
        chat: ctx.chat,
        store: ctx.store,
        diagnosis: ctx.diagnosis,
        runbooks: ctx.runbooks,
        policy: ctx.remediation?.policy ?? null,
        newId: ctx.newId,
        log: ctx.log,
      },
      req,
      ctx.channel,
      `<@${ctx.user}>`,
    );
    if (!r.ok) await ctx.refuse(r.error);
  },
});
