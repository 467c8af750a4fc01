import { parseFlags } from "../src/core/args.ts";
import { formatDuration, parseDuration } from "../src/core/duration.ts";
import { remediationStats } from "../src/core/remediation-stats.ts";
import { err, ok } from "../src/core/result.ts";
import { sections } from "../src/slack/render/blocks.ts";
import { esc } from "../src/slack/render/mrkdwn.ts";
import { command } from "./command.ts";

/** the audit entries read at most (the newest); a month of a busy fleet fits */
const MAX_ENTRIES = 50_000;

/** `/mem stats [--since 30d]`: per action kind, executed and held, and the median time to a verified fix. */
export const statsCommand = command<{ sinceSeconds: number }>({
  name: "stats",
  summary: "How many remediations were executed and how many held, and the median time to a verified fix",
  usage: "/mem stats [--since 30d]",
  quick: true,
  parse: (words) => {
    const parsed = parseFlags(words, { since: ["--since"] });
    if (!parsed.ok) return parsed;
    if (parsed.value.positionals.length > 0) return err("no target: the stats cover every workload");
    const since = parseDuration(parsed.value.flags["since"] ?? "30d");
    if (!since.ok) return err(`--since: ${since.error}`);
    return ok({ sinceSeconds: since.value });
  },
  async run(args, ctx) {
    const now = ctx.incidents.diagnosis.clock.now();
    const entries = await ctx.incidents.store.auditEntries({ since: now - args.sinceSeconds, limit: MAX_ENTRIES });
    const s = remediationStats(entries);
    const period = formatDuration(args.sinceSeconds);
    const lines = s.actions.map(
      (a) =>
        `• *${esc(a.action)}*: ${a.executed} executed, ${a.held} held${a.executed ? ` (${Math.round((100 * a.held) / a.executed)}%)` : ""}${a.failed ? `, ${a.failed} did not` : ""}${a.pending ? `, ${a.pending} not checked yet` : ""}`,
    );
    const toFix =
      s.medianToFix === null
        ? "No verified fix followed a warning or an alert in that time."
        : `Median time from the first warning or alert to the verified fix: *${formatDuration(s.medianToFix)}* (${s.fixesTimed} fix${s.fixesTimed === 1 ? "" : "es"}).`;
    const body = lines.length ? lines.join("\n") : "No remediation was executed in that time.";
    const text = `*Remediations in the last ${period}* (from the audit log; held = the latest look: a week later, a day later, or right after)\n${body}\n${toFix}`;
    return {
      text: `Remediations in the last ${period}: ${s.actions.map((a) => `${a.action} ${a.held}/${a.executed} held`).join(", ") || "none"}`,
      blocks: sections(text),
    };
  },
});
