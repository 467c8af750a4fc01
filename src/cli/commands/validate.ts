import { type CliCommand, configOrExit, EXIT, policyOrExit, runbooksOrExit } from "../cli.ts";

export const validate: CliCommand = {
  name: "validate",
  summary: "check the runbooks and the configuration",
  help: "Usage: memops validate\n\nChecks every runbook in MEMOPS_RUNBOOKS_DIR and the configuration for 'memops serve'.",
  async run({ args, env, io, usage }) {
    if (args.length > 0) return usage(`unexpected argument "${args[0]}"`);
    const config = await configOrExit(env, "serve", io);
    const runbooks = await runbooksOrExit(config?.runbooksDir ?? env["MEMOPS_RUNBOOKS_DIR"] ?? "runbooks", io);
    const policy = config ? await policyOrExit(config, io) : undefined;
    if (!config || !runbooks || policy === undefined) return EXIT.usage;
    io.out(
      `ok: ${runbooks.length} runbooks (${runbooks.map((r) => r.id).join(", ")}); configuration valid; ${policy ? `policy with ${policy.rules.length} rules` : "no policy (remediations off)"}`,
    );
    return EXIT.ok;
  },
};
