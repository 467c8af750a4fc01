/** The `memops` command: one file per subcommand under commands/, dispatched here. */
import { nearest } from "../core/nearest.ts";
import { type CliCommand, type CliIO, EXIT, type Wiring } from "./cli.ts";
import { analyze } from "./commands/analyze.ts";
import { audit } from "./commands/audit.ts";
import { diagnose } from "./commands/diagnose.ts";
import { incident } from "./commands/incident.ts";
import { playground } from "./commands/playground.ts";
import { schema } from "./commands/schema.ts";
import { serve } from "./commands/serve.ts";
import { validate } from "./commands/validate.ts";

export { type CliIO, EXIT, type PlaygroundFlags, type Wiring } from "./cli.ts";

const COMMANDS: readonly CliCommand[] = [serve, playground, diagnose, analyze, validate, audit, incident, schema];

const MAIN_HELP = `memops — Kubernetes memory incidents from Slack

Usage: memops <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)}  ${c.summary}`).join("\n")}

Run 'memops <command> --help' for a command's options. Exit codes: 0 ok, 1 failure, 2 bad arguments or configuration.`;

/** Returns the exit code; only `serve` and `playground` run until stopped. */
export async function runCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CliIO,
  wiring: Wiring,
): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(MAIN_HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) {
    const guess = nearest(
      name,
      COMMANDS.map((x) => x.name),
    );
    io.err(`memops: unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ""}\n\n${MAIN_HELP}`);
    return EXIT.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.out(c.help);
    return EXIT.ok;
  }
  const usage = (why: string) => {
    io.err(`memops ${c.name}: ${why}\n\n${c.help}`);
    return EXIT.usage;
  };
  return c.run({ args, env, io, wiring, usage });
}
