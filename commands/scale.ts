import { planScaleOut } from "../src/engine/remediation/scale-out.ts";
import { ruleFor } from "../src/core/remediation/policy.ts";
import { err } from "../src/core/result.ts";
import type { Target } from "../src/core/target.ts";
import { command } from "./command.ts";
import { askFor, parseRemediation } from "./remediation-target.ts";
import { excerpt } from "../src/core/excerpt.ts";

interface ScaleArgs {
  target: Target;
  replicas: number;
}

export const scaleCommand = command<ScaleArgs>({
  name: "scale",
  summary: "Ask to scale a Deployment or StatefulSet out (a second person approves it)",
  usage: "/mem scale <deploy/NAME|sts/NAME> [-n NAMESPACE] <REPLICAS>",
  quick: false,
  parse: (words, defaults) => {
    const r = parseRemediation(words, defaults, {}, 2);
    if (!r.ok) return r;
    const n = r.value.rest[0] ?? "";
    if (!/^-?\d+$/.test(n)) return err(`"${excerpt(n)}" is not a number of replicas`);
    if (Number(n) < 1) return err(`replicas must be a positive number (got ${excerpt(n)})`);
    if (Number(n) > 9999) return err(`${excerpt(n)} replicas is more than memops will ask for (at most 9999)`);
    return { ok: true, value: { target: r.value.target, replicas: Number(n) } };
  },
  run: (args, ctx) =>
    askFor(ctx, args.target, (w, r) =>
      planScaleOut(
        ctx.incidents.diagnosis.cluster,
        w,
        args.replicas,
        ruleFor(r.policy, w.namespace, "scale-out")?.maxReplicas ?? null,
      ),
    ),
});
