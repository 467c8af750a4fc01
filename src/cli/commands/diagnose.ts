import { DIAGNOSE_FLAGS, diagnoseRequest } from "../../app/diagnose-args.ts";
import { parseFlags } from "../../core/args.ts";
import { type CliCommand, configOrExit, EXIT, runbooksOrExit } from "../cli.ts";

const FORMATS = ["text", "json", "blocks"];

export const diagnose: CliCommand = {
  name: "diagnose",
  summary: "run a runbook against the cluster and print the report",
  help: `Usage: memops diagnose <target> [-n NAMESPACE] [-l SELECTOR] [--since 6h] [--runbook ID] [--format text|json|blocks]

Targets: deploy/NAME, sts/NAME, ds/NAME, pod/NAME, ns/NAME, or a bare NAME (pod or workload).
--format json prints the report; blocks prints the Slack messages that would be posted.`,
  async run({ args, env, io, wiring, usage }) {
    const config = await configOrExit(env, "cli", io);
    if (!config) return EXIT.usage;
    const parsed = parseFlags(args, { ...DIAGNOSE_FLAGS, format: ["--format", "-o"] });
    if (!parsed.ok) return usage(parsed.error);
    const { format = "text", ...flags } = parsed.value.flags;
    const req = diagnoseRequest(
      { positionals: parsed.value.positionals, flags },
      { namespace: config.defaultNamespace, windowSeconds: config.defaultWindowSeconds },
    );
    if (!req.ok) return usage(req.error);
    if (!FORMATS.includes(format)) return usage("--format must be text, json or blocks");
    const runbooks = await runbooksOrExit(config.runbooksDir, io);
    if (!runbooks) return EXIT.usage;
    const [{ createLogger }, { diagnose: runDiagnosis }, { renderText }] = await Promise.all([
      import("../../log.ts"),
      import("../../engine/run-diagnosis.ts"),
      import("../render-text.ts"),
    ]);
    const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
    const result = await runDiagnosis(await wiring.diagnosisDeps(config, log), runbooks, req.value);
    if (!result.ok) {
      io.err(`memops diagnose: ${result.error}`);
      return EXIT.failure;
    }
    io.out(
      format === "json"
        ? JSON.stringify(result.value, null, 2)
        : format === "blocks"
          ? JSON.stringify(await wiring.blocks(result.value), null, 2)
          : renderText(result.value),
    );
    return EXIT.ok;
  },
};
