import { parseQuantity } from "../src/core/quantity.ts";
import { gitOpsOwner } from "../src/core/remediation/gitops.ts";
import { planLimit } from "../src/core/remediation/plan.ts";
import { ruleFor } from "../src/core/remediation/policy.ts";
import { err } from "../src/core/result.ts";
import type { Target } from "../src/core/target.ts";
import { command } from "./command.ts";
import { parseRemediation, remediationOff, workloadOf } from "./remediation-target.ts";

interface LimitArgs { target: Target; container: string | null; bytes: number }

export const limitCommand = command<LimitArgs>({
  name: "limit",
  summary: "Ask to raise a container's memory limit, within the policy's bounds (a second person approves it)",
  usage: "/mem limit <deploy/NAME|sts/NAME|ds/NAME> [-n NAMESPACE] [--container NAME] <LIMIT, e.g. 1Gi>",
  quick: false,
  parse: (words, defaults) => {
    const r = parseRemediation(words, defaults, { container: ["-c", "--container"] }, 2);
    if (!r.ok) return r;
    const q = parseQuantity(r.value.rest[0] ?? "");
    if (!q.ok) return err(q.error);
    return { ok: true, value: { target: r.value.target, container: r.value.flags["container"] ?? null, bytes: q.value } };
  },
  async run(args, ctx) {
    if (!ctx.remediation) return void (await ctx.reply(remediationOff));
    const w = await workloadOf(ctx, args.target);
    if (!w.ok) return void (await ctx.reply({ text: w.error, blocks: [] }));
    const names = w.value.template.containers.map((c) => c.name);
    const container = args.container ?? (names.length === 1 ? names[0] : undefined);
    if (!container) return void (await ctx.reply({ text: `which container? add --container ${names.join("|")}`, blocks: [] }));
    const policy = ctx.remediation.policy;
    const plan = planLimit(w.value, container, args.bytes, { maxFactor: policy.maxLimitFactor, ceilingBytes: ruleFor(policy, w.value.namespace, "raise-limit")?.limitCeiling ?? null });
    const asked = plan.ok ? await ctx.remediation.propose(plan.value, gitOpsOwner(w.value.labels, w.value.annotations)) : plan;
    if (!asked.ok) await ctx.reply({ text: asked.error, blocks: [] });
  },
});
