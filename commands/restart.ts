import { planRestart } from "../src/core/remediation/plan.ts";
import type { Target } from "../src/core/target.ts";
import { command } from "./command.ts";
import { askFor, parseRemediation } from "./remediation-target.ts";

export const restartCommand = command<Target>({
  name: "restart",
  summary: "Ask for a rolling restart (a second person approves it)",
  usage: "/mem restart <deploy/NAME|sts/NAME|ds/NAME|pod/NAME> [-n NAMESPACE]",
  quick: false,
  parse: (words, defaults) => {
    const r = parseRemediation(words, defaults, {}, 1);
    return r.ok ? { ok: true, value: r.value.target } : r;
  },
  run: (target, ctx) => askFor(ctx, target, (w) => planRestart(w, ctx.incidents.diagnosis.clock.now())),
});
