import { parseQuantity } from "../src/core/quantity.ts";
import { planLimit } from "../src/core/remediation/plan.ts";
import { ruleFor } from "../src/core/remediation/policy.ts";
import { err } from "../src/core/result.ts";
import type { Target } from "../src/core/target.ts";
import { command } from "./command.ts";
import { askFor, parseRemediation } from "./remediation-target.ts";

interface LimitArgs {
  target: Target;
  container: string | null;
  bytes: number;
}

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
    return {
      ok: true,
      value: { target: r.value.target, container: r.value.flags["container"] ?? null, bytes: q.value },
    };
  },
  run: (args, ctx) =>
    askFor(ctx, args.target, (w, r) => {
      const names = w.template.containers.map((c) => c.name);
      const container = args.container ?? (names.length === 1 ? names[0] : undefined);
      if (!container) return err(`which container? add --container ${names.join("|")}`);
      return planLimit(w, container, args.bytes, {
        maxFactor: r.policy.maxLimitFactor,
        ceilingBytes: ruleFor(r.policy, w.namespace, "raise-limit")?.limitCeiling ?? null,
      });
    }),
});
