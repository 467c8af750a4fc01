import { writeFile } from "node:fs/promises";
import { parseFlags } from "../../core/args.ts";
import { type CliCommand, EXIT } from "../cli.ts";

export const schema: CliCommand = {
  name: "schema",
  summary: "print the JSON Schema of runbooks",
  help: "Usage: memops schema [--out FILE]\n\nPrints (or writes) the JSON Schema for runbook files, for editor completion.",
  async run({ args, io, usage }) {
    const parsed = parseFlags(args, { out: ["--out", "-o"] });
    if (!parsed.ok) return usage(parsed.error);
    if (parsed.value.positionals.length > 0) return usage(`unexpected argument "${parsed.value.positionals[0]}"`);
    const { runbookJsonSchema } = await import("../../core/runbook-json-schema.ts");
    const text = `${JSON.stringify(runbookJsonSchema(), null, 2)}\n`;
    const out = parsed.value.flags["out"];
    if (!out) {
      io.out(text);
      return EXIT.ok;
    }
    try {
      await writeFile(out, text);
      return EXIT.ok;
    } catch (e) {
      io.err(`memops schema: cannot write ${out}: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.failure;
    }
  },
};
