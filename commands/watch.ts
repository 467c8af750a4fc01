import { parseFlags } from "../src/core/args.ts";
import { err, ok } from "../src/core/result.ts";
import { type Subject, subjectKey, subjectOfTarget } from "../src/core/subject.ts";
import { parseTarget } from "../src/core/target.ts";
import { describeMute } from "../src/core/watch/mutes.ts";
import { sections } from "../src/slack/render/blocks.ts";
import { esc, escKeepMentions } from "../src/slack/render/mrkdwn.ts";
import { command } from "./command.ts";

type WatchArgs = { kind: "list" } | { kind: "unmute"; subject: Subject };

/** `/mem watch` lists what the watch is quiet about in this channel; `/mem watch unmute TARGET` lifts it. */
export const watchCommand = command<WatchArgs>({
  name: "watch",
  summary: "What the fleet watch is quiet about here (snoozed, not a problem, warned); `unmute` lifts one",
  usage: "/mem watch [unmute deploy/NAME -n NAMESPACE]",
  quick: true,
  parse: (words, defaults) => {
    const parsed = parseFlags(words, { namespace: ["-n", "--namespace"] });
    if (!parsed.ok) return parsed;
    const [verb, target, ...extra] = parsed.value.positionals;
    if (!verb) return ok({ kind: "list" });
    if (verb !== "unmute") return err(`"${verb}" is not a watch subcommand (unmute)`);
    if (!target || extra.length > 0) return err("unmute one workload: deploy/NAME, sts/NAME or ds/NAME");
    const t = parseTarget(target, parsed.value.flags["namespace"] ?? defaults.namespace);
    if (!t.ok) return t;
    if (t.value.kind !== "deployment" && t.value.kind !== "statefulset" && t.value.kind !== "daemonset")
      return err("unmute a workload (deploy/, sts/ or ds/): the watch keeps quiet per workload");
    return ok({ kind: "unmute", subject: subjectOfTarget(t.value) });
  },
  async run(args, ctx) {
    const { store, audit } = ctx.incidents;
    const mutes = (await store.watchMutes()).filter((m) => m.channel === ctx.channel);
    if (args.kind === "unmute") {
      const key = subjectKey(args.subject);
      const m = mutes.find((x) => subjectKey(x.subject) === key);
      if (!m) return ctx.refuse(`the watch is not quiet about ${key} in this channel`);
      await store.unmuteWatch(args.subject, ctx.channel);
      await audit.record({
        kind: "watch",
        slackUser: ctx.user,
        target: args.subject,
        what: "unmute",
        outcome: `lifted: ${describeMute(m)}`,
        details: { channel: ctx.channel },
      });
      const text = `The memory watch warns about ${key} here again (it was ${describeMute(m)}).`;
      return { text, blocks: sections(escKeepMentions(text)) };
    }
    const warned = (await store.watchWarnings()).filter((w) => w.channel === ctx.channel);
    const lines = [
      ...mutes.map((m) => `• ${esc(subjectKey(m.subject))}: ${escKeepMentions(describeMute(m))}`),
      ...warned.map((w) => `• ${esc(subjectKey(w.subject))}: warned, until it is no longer a candidate`),
    ];
    const text = lines.length
      ? `*The memory watch is quiet here about*\n${lines.join("\n")}`
      : "The memory watch is quiet about nothing in this channel.";
    return { text: text.replace(/\*/g, ""), blocks: sections(text) };
  },
});
