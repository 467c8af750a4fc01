import { gitOpsOwner } from "../src/core/remediation/gitops.ts";
import { planScale } from "../src/core/remediation/plan.ts";
import { ruleFor } from "../src/core/remediation/policy.ts";
import { err } from "../src/core/result.ts";
import type { Target } from "../src/core/target.ts";
import { command } from "./command.ts";
import { parseRemediation, remediationOff, workloadOf } from "./remediation-target.ts";

interface ScaleArgs { target: Target; replicas: number }

export const scaleCommand = command<ScaleArgs>({
  name: "scale",
  summary: "Ask to scale a Deployment or StatefulSet out (a second person approves it)",
  usage: "/mem scale <deploy/NAME|sts/NAME> [-n NAMESPACE] <REPLICAS>",
  quick: false,
  parse: (words, defaults) => {
    const r = parseRemediation(words, defaults, {}, 2);
    if (!r.ok) return r;
    const n = r.value.rest[0] ?? "";
    if (!/^\d{1,4}$/.test(n) || Number(n) < 1) return err(`"${n}" is not a number of replicas`);
    return { ok: true, value: { target: r.value.target, replicas: Number(n) } };
  },
  async run(args, ctx) {
    if (!ctx.remediation) return void (await ctx.reply(remediationOff));
    const w = await workloadOf(ctx, args.target);
    if (!w.ok) return void (await ctx.reply({ text: w.error, blocks: [] }));
    const kind = w.value.kind;
    const hpa = kind === "deployment" || kind === "statefulset" ? await ctx.diagnosis.cluster.autoscalerFor({ kind, namespace: w.value.namespace, name: w.value.name }) : null;
    const plan = planScale(w.value, args.replicas, { hpa, maxReplicas: ruleFor(ctx.remediation.policy, w.value.namespace, "scale-out")?.maxReplicas ?? null });
    const asked = plan.ok ? await ctx.remediation.propose(plan.value, gitOpsOwner(w.value.labels, w.value.annotations)) : plan;
    if (!asked.ok) await ctx.reply({ text: asked.error, blocks: [] });
  },
});
