import { parseFlags } from "../src/core/args.ts";
import { parseDuration } from "../src/core/duration.ts";
import { err, ok } from "../src/core/result.ts";
import { type Subject, subjectKey, subjectOfTarget } from "../src/core/subject.ts";
import { parseTarget } from "../src/core/target.ts";
import type { AuditEntry } from "../src/core/audit.ts";
import { channelMay } from "../src/core/remediation/policy.ts";
import { sections } from "../src/slack/render/blocks.ts";
import { cut, esc, escKeepMentions } from "../src/slack/render/mrkdwn.ts";
import { command } from "./command.ts";

interface AuditArgs {
  target: Subject | null;
  sinceSeconds: number;
}

/** `/mem audit [target] [--since 24h]`: recent audit entries, for the person who asked only. */
export const auditCommand = command<AuditArgs>({
  name: "audit",
  summary: "Show recent audit entries (only to you)",
  usage: "/mem audit [deploy/NAME -n NAMESPACE] [--since 24h]",
  quick: true,
  parse: (words, defaults) => {
    const parsed = parseFlags(words, { namespace: ["-n", "--namespace"], since: ["--since"] });
    if (!parsed.ok) return parsed;
    const since = parseDuration(parsed.value.flags["since"] ?? "24h");
    if (!since.ok) return err(`--since: ${since.error}`);
    const [first, ...extra] = parsed.value.positionals;
    if (extra.length > 0) return err("one target at a time");
    if (!first) return ok({ target: null, sinceSeconds: since.value });
    const t = parseTarget(first, parsed.value.flags["namespace"] ?? defaults.namespace);
    if (!t.ok) return t;
    if (t.value.kind === "any")
      return err("say the kind too (deploy/, sts/, ds/, pod/ or ns/): entries are kept under the full name");
    return ok({ target: subjectOfTarget(t.value), sinceSeconds: since.value });
  },
  async run(args, ctx) {
    const policy = ctx.incidents.policy;
    if (args.target) {
      const bound = channelMay(policy, ctx.channel, args.target.namespace);
      if (!bound.ok) return ctx.refuse(bound.error);
    }
    const now = ctx.incidents.diagnosis.clock.now();
    // with channels bound to namespaces, a channel sees its namespaces' entries (and its own commands) only
    const visible = (e: AuditEntry) =>
      !policy?.channels ||
      (e.target ? channelMay(policy, ctx.channel, e.target.namespace).ok : e.details["channel"] === ctx.channel);
    const entries = (
      await ctx.incidents.store.auditEntries({
        since: now - args.sinceSeconds,
        ...(args.target ? { target: args.target } : {}),
        limit: policy?.channels ? 500 : 20,
      })
    )
      .filter(visible)
      .slice(-20);
    const lines = entries.map(
      (e) =>
        `\`#${e.seq}\` <!date^${Math.floor(e.at)}^{date_short_pretty} {time}|${new Date(e.at * 1000).toISOString()}> *${e.kind}*${e.slackUser ? ` by <@${e.slackUser}>` : ""}${e.target ? ` · ${esc(subjectKey(e.target))}` : ""} — ${escKeepMentions(cut(e.what, 120))} → ${escKeepMentions(cut(e.outcome, 120))}`,
    );
    const scope = args.target ? ` for ${subjectKey(args.target)}` : "";
    return {
      text: `${entries.length} audit entries${scope}`,
      blocks: sections(
        lines.length
          ? `*Audit log${esc(scope)}* (latest ${lines.length})\n${lines.join("\n")}`
          : `No audit entries${esc(scope)} in that window.`,
      ),
    };
  },
});
