import { parseFlags } from "../../core/args.ts";
import { verifyChain } from "../../core/audit.ts";
import { parseDuration } from "../../core/duration.ts";
import { type CliCommand, configOrExit, EXIT } from "../cli.ts";

export const audit: CliCommand = {
  name: "audit",
  summary: "verify or export the tamper-evident audit log",
  help: `Usage: memops audit verify
       memops audit export --jsonl [--since 24h]

verify checks the audit log's hash chain and names the first edited, deleted or reordered entry (exit 1).
export writes every entry as one JSON object per line, for a SIEM.`,
  async run({ args, env, io, wiring, usage }) {
    const [sub, ...more] = args;
    const parsed = parseFlags(more, { jsonl: ["--jsonl"], since: ["--since"] }, ["jsonl"]);
    if (!parsed.ok) return usage(parsed.error);
    if (sub !== "verify" && sub !== "export") return usage("say verify or export");
    if (parsed.value.positionals.length > 0) return usage(`unexpected argument "${parsed.value.positionals[0]}"`);
    const config = configOrExit(env, "cli", io);
    if (!config) return EXIT.usage;
    const since = parsed.value.flags["since"] ? parseDuration(parsed.value.flags["since"]) : null;
    if (since && !since.ok) return usage(`--since: ${since.error}`);
    const store = wiring.openStore(config);
    try {
      if (sub === "export") {
        const entries = await store.auditEntries(since?.ok ? { since: Date.now() / 1000 - since.value } : {});
        for (const e of entries) io.out(JSON.stringify(e));
        return EXIT.ok;
      }
      const entries = await store.auditEntries();
      const check = verifyChain(entries, await store.auditHead());
      if (!check.ok) {
        io.err(`memops audit: the audit log is broken at entry ${check.seq}: ${check.reason}`);
        return EXIT.failure;
      }
      const last = entries.at(-1);
      io.out(
        `audit log intact: ${check.entries} entries${last ? `; last #${last.seq} at ${new Date(last.at * 1000).toISOString()}, hash ${last.hash.slice(0, 16)}…` : ""}`,
      );
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
