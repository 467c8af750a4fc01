import { incidentEntries } from "../../app/incident-timeline.ts";
import { parseFlags } from "../../core/args.ts";
import { summarize, summaryMarkdown } from "../../core/incident-summary.ts";
import { type CliCommand, configOrExit, EXIT } from "../cli.ts";

export const incident: CliCommand = {
  name: "incident",
  summary: "export an incident's post-incident document",
  help: "Usage: memops incident export ID --markdown\n\nWrites the post-incident document of an incident (its id is in the logs and the audit log).",
  async run({ args, env, io, wiring, usage }) {
    const [sub, ...more] = args;
    const parsed = parseFlags(more, { markdown: ["--markdown"] }, ["markdown"]);
    if (!parsed.ok) return usage(parsed.error);
    const id = parsed.value.positionals[0];
    if (sub !== "export" || !id || parsed.value.flags["markdown"] !== "true") return usage("say export ID --markdown");
    const config = await configOrExit(env, "cli", io);
    if (!config) return EXIT.usage;
    const store = await wiring.openStore(config);
    try {
      const i = await store.incident(id);
      if (!i) {
        io.err(`memops incident: no incident ${id}`);
        return EXIT.failure;
      }
      io.out(summaryMarkdown(summarize(i.subject, i.openedAt, await incidentEntries(store, i), i.resolvedAt)));
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
