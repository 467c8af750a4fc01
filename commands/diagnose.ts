import { parseDiagnose } from "../src/app/diagnose-args.ts";
import type { DiagnoseRequest } from "../src/engine/run-diagnosis.ts";
import { diagnoseIncident } from "../src/app/diagnose-incident.ts";
import { mayDiagnose } from "../src/app/may-diagnose.ts";
import { command } from "./command.ts";

export const diagnoseCommand = command<DiagnoseRequest>({
  name: "diagnose",
  summary: "Run the memory runbook for a workload and post the report in a thread",
  usage:
    "/mem diagnose <deploy/NAME|sts/NAME|ds/NAME|pod/NAME|ns/NAME|NAME> [-n NAMESPACE] [-l SELECTOR] [--since 6h] [--runbook ID]",
  quick: false,
  parse: parseDiagnose,
  async run(req, ctx) {
    const may = await mayDiagnose(
      { policy: ctx.incidents.policy, cluster: ctx.incidents.diagnosis.cluster },
      ctx,
      req.target.namespace,
    );
    if (!may.ok) return ctx.refuse(may.error);
    const r = await diagnoseIncident(ctx.incidents, req, ctx.channel, `<@${ctx.user}>`);
    if (!r.ok) await ctx.refuse(r.error);
  },
});
