import { type ParsedArgs, parseFlags } from "../src/core/args.ts";
import { parseDuration } from "../src/core/duration.ts";
import { err, ok, type Result } from "../src/core/result.ts";
import { describeTarget, parseTarget } from "../src/core/target.ts";
import { diagnose, type DiagnoseRequest, type Progress } from "../src/engine/run-diagnosis.ts";
import { PortError } from "../src/ports.ts";
import { latestWins } from "../src/slack/latest-wins.ts";
import { progressMessage, verdictMessage } from "../src/slack/render/parent.ts";
import { reportMessages } from "../src/slack/render/report.ts";
import { remediationButtons } from "../src/slack/render/remediation.ts";
import { offerRemediations } from "../src/engine/remediation/offer.ts";
import { command, type CommandDefaults } from "./command.ts";

const MIN_WINDOW = 10 * 60;
const MAX_WINDOW = 14 * 86_400;

export const DIAGNOSE_FLAGS = { namespace: ["-n", "--namespace"], selector: ["-l", "--selector"], since: ["--since"], runbook: ["--runbook"] } as const;

/** `<target> [-n ns] [-l selector] [--since 6h] [--runbook id]` → a diagnosis request. */
export function parseDiagnose(words: readonly string[], defaults: CommandDefaults) {
  const parsed = parseFlags(words, DIAGNOSE_FLAGS);
  return parsed.ok ? diagnoseRequest(parsed.value, defaults) : parsed;
}

export function diagnoseRequest({ positionals, flags }: ParsedArgs, defaults: CommandDefaults): Result<DiagnoseRequest> {
  let windowSeconds = defaults.windowSeconds;
  if (flags["since"] !== undefined) {
    const d = parseDuration(flags["since"]);
    if (!d.ok) return err(`--since: ${d.error}`);
    if (d.value < MIN_WINDOW || d.value > MAX_WINDOW) return err(`--since must be between 10m and 14d (got ${flags["since"]})`);
    windowSeconds = d.value;
  }
  if (positionals.length > 1) return err(`one target at a time (got ${positionals.join(", ")})`);
  const target = parseTarget(positionals[0], flags["namespace"] ?? defaults.namespace, flags["selector"]);
  if (!target.ok) return target;
  const req: DiagnoseRequest = { target: target.value, windowSeconds, ...(flags["runbook"] ? { runbookId: flags["runbook"] } : {}) };
  return ok(req);
}

const PROGRESS_AFTER_MS = 1000;
const SHORT_TITLE = (p: Extract<Progress, { phase: "step" }>) => `${p.title}${p.status === "unavailable" ? " (unavailable)" : ""}`;

export const diagnoseCommand = command<DiagnoseRequest>({
  name: "diagnose",
  summary: "Run the memory runbook for a workload and post the report in a thread",
  usage: "/mem diagnose <deploy/NAME|sts/NAME|ds/NAME|pod/NAME|ns/NAME|NAME> [-n NAMESPACE] [-l SELECTOR] [--since 6h] [--runbook ID]",
  quick: false,
  parse: parseDiagnose,
  async run(req, ctx) {
    const label = describeTarget(req.target);
    const log = ctx.log.child({ target: label });
    let parent: Promise<string> | undefined;
    let postedAt = 0;
    const view = { target: label, requestedBy: ctx.user, done: 0, total: 0, finished: [] as string[] };
    const updates = latestWins(async (m: Parameters<typeof ctx.chat.update>[2]) => ctx.chat.update(ctx.channel, await (parent as Promise<string>), m));
    const result = await diagnose(ctx.diagnosis, ctx.runbooks, req, (p) => {
      if (p.phase === "started") {
        view.total = p.total;
        parent = ctx.chat.post(ctx.channel, progressMessage(view));
        parent.catch(() => undefined); // awaited below, where its failure is reported
        postedAt = ctx.diagnosis.clock.now();
      } else if (parent) {
        view.done = p.done;
        view.finished.push(SHORT_TITLE(p));
        // A fast diagnosis goes straight to the verdict: progress updates would only spend chat.update's rate limit.
        if (ctx.diagnosis.clock.now() - postedAt >= PROGRESS_AFTER_MS) updates.push(progressMessage(view));
      }
    });
    if (!result.ok) {
      await ctx.reply({ text: `Could not diagnose ${label}: ${result.error}`, blocks: [] });
      return;
    }
    try {
      const ts = await (parent as Promise<string>);
      for (const m of reportMessages(result.value)) await ctx.chat.post(ctx.channel, m, ts);
      const runbook = ctx.runbooks.find((r) => r.id === result.value.runbook.id);
      const offers = ctx.remediation && runbook
        ? await offerRemediations({ cluster: ctx.diagnosis.cluster, store: ctx.remediation.store, newId: ctx.remediation.newId }, result.value, runbook, ctx.remediation.policy, { channel: ctx.channel, threadTs: ts }, ctx.diagnosis.clock.now() / 1000)
          .catch((e: unknown) => {
            if (!(e instanceof PortError)) throw e;
            log.warn({ reason: e.message }, "no remediations offered");
            return [];
          })
        : [];
      await updates.idle();
      const verdict = verdictMessage(result.value, ctx.user, remediationButtons(offers));
      await ctx.chat.update(ctx.channel, ts, verdict);
      await ctx.remediation?.store.saveParent(ctx.channel, ts, verdict);
    } catch (e) {
      if (!(e instanceof PortError)) throw e;
      log.warn({ code: e.code, reason: e.message }, "could not post the report");
      await ctx.reply({ text: `The diagnosis of ${label} finished, but it could not be posted: ${e.message}`, blocks: [] });
    }
  },
});
