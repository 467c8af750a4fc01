import { gitOpsOwner } from "../src/core/remediation/gitops.ts";
import { planRestart } from "../src/core/remediation/plan.ts";
import type { Target } from "../src/core/target.ts";
import { command } from "./command.ts";
import { parseRemediation, remediationOff, workloadOf } from "./remediation-target.ts";

export const restartCommand = command<Target>({
  name: "restart",
  summary: "Ask for a rolling restart (a second person approves it)",
  usage: "/mem restart <deploy/NAME|sts/NAME|ds/NAME|pod/NAME> [-n NAMESPACE]",
  quick: false,
  parse: (words, defaults) => {
    const r = parseRemediation(words, defaults, {}, 1);
    return r.ok ? { ok: true, value: r.value.target } : r;
  },
  async run(target, ctx) {
    if (!ctx.remediation) return void (await ctx.reply(remediationOff));
    const w = await workloadOf(ctx, target);
    if (!w.ok) return void (await ctx.reply({ text: w.error, blocks: [] }));
    const plan = planRestart(w.value, ctx.diagnosis.clock.now() / 1000);
    const asked = plan.ok ? await ctx.remediation.propose(plan.value, gitOpsOwner(w.value.labels, w.value.annotations)) : plan;
    if (!asked.ok) await ctx.reply({ text: asked.error, blocks: [] });
  },
});
