import { type CliCommand, configOrExit, EXIT, policyOrExit, runbooksOrExit } from "../cli.ts";

export const serve: CliCommand = {
  name: "serve",
  summary: "run the Slack app (HTTP receiver, or Socket Mode when SLACK_APP_TOKEN is set)",
  help: "Usage: memops serve\n\nRuns the Slack app. Configuration comes from the environment (see the README).",
  async run({ args, env, io, wiring, usage }) {
    if (args.length > 0) return usage(`unexpected argument "${args[0]}"`);
    const config = await configOrExit(env, "serve", io);
    if (!config) return EXIT.usage;
    const runbooks = await runbooksOrExit(config.runbooksDir, io);
    const policy = await policyOrExit(config, io);
    if (!runbooks || policy === undefined) return EXIT.usage;
    const { createLogger } = await import("../../log.ts");
    await wiring.serve(config, runbooks, policy, createLogger(config.logLevel));
    return EXIT.ok;
  },
};
