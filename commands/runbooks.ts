import { ok } from "../src/core/result.ts";
import { sections } from "../src/slack/render/blocks.ts";
import { esc } from "../src/slack/render/mrkdwn.ts";
import { command } from "./command.ts";

export const runbooksCommand = command<null>({
  name: "runbooks",
  summary: "List the runbooks memops can run",
  usage: "/mem runbooks",
  quick: true,
  parse: () => ok(null),
  async run(_args, ctx) {
    const lines = ctx.incidents.runbooks.map((r) => {
      const steps = r.steps.map((s) => s.kind).join(" → ");
      const when = [
        `targets: ${r.match.targets.join(", ")}`,
        r.match.signals.length ? `when: ${r.match.signals.join(", ")}` : "",
        r.match.alerts.length ? `alerts: ${r.match.alerts.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join(" · ");
      return `*${esc(r.id)}* — ${esc(r.title)}\n${esc(when)}\n_${esc(steps)}_`;
    });
    return {
      text: `${ctx.incidents.runbooks.length} runbooks: ${ctx.incidents.runbooks.map((r) => r.id).join(", ")}`,
      blocks: sections(lines.join("\n\n")),
    };
  },
});
