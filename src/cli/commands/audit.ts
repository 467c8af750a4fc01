import { readFileSync } from "node:fs";
import { parseFlags } from "../../core/args.ts";
import { keyedCount, parseWitness, verifyChain, type WitnessedHead } from "../../core/audit.ts";
import { parseDuration } from "../../core/duration.ts";
import { err, ok, type Result } from "../../core/result.ts";
import { type CliCommand, configOrExit, EXIT } from "../cli.ts";

/**
 * Witnessed heads: "SEQ:HASH" items, or a file of them — one per line, or memops's own JSON log lines
 * (`auditHead`, or an entry's `audit.seq`/`audit.hash`), so the log stream itself can be passed in.
 */
export function readWitnesses(list: string | undefined, file: string | undefined): Result<WitnessedHead[]> {
  const out: WitnessedHead[] = [];
  for (const item of list ? list.split(",") : []) {
    const w = parseWitness(item);
    if (!w) return err(`--witness: "${item.slice(0, 80)}" is not SEQ:HASH`);
    out.push(w);
  }
  if (!file) return ok(out);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return err(`--witness-file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    const plain = parseWitness(line);
    if (plain) {
      out.push(plain);
      continue;
    }
    type LogLine = { auditHead?: WitnessedHead; audit?: WitnessedHead } | null;
    let o: LogLine;
    try {
      o = JSON.parse(line) as LogLine;
    } catch {
      return err(`${file}: line ${i + 1}: neither SEQ:HASH nor a JSON log line`);
    }
    const h = o?.auditHead ?? o?.audit;
    if (h && Number.isInteger(h.seq) && typeof h.hash === "string") out.push({ seq: h.seq, hash: h.hash });
  }
  return ok(out);
}

export const audit: CliCommand = {
  name: "audit",
  summary: "verify or export the tamper-evident audit log",
  help: `Usage: memops audit verify [--witness SEQ:HASH[,SEQ:HASH…]] [--witness-file FILE]
       memops audit export --jsonl [--since 24h]

verify checks the audit log's chain (HMAC-SHA256 under MEMOPS_AUDIT_KEY; keys rotated out in
MEMOPS_AUDIT_PREVIOUS_KEYS) and names the first edited, deleted or reordered entry (exit 1).
With witnessed heads — the "audit head" lines memops writes to its log stream — it also finds
entries cut off the end and a log rewritten from scratch, which the database alone cannot show.
export writes every entry as one JSON object per line, for a SIEM.`,
  async run({ args, env, io, wiring, usage }) {
    const [sub, ...more] = args;
    const parsed = parseFlags(
      more,
      { jsonl: ["--jsonl"], since: ["--since"], witness: ["--witness"], "witness-file": ["--witness-file"] },
      ["jsonl"],
    );
    if (!parsed.ok) return usage(parsed.error);
    if (sub !== "verify" && sub !== "export") return usage("say verify or export");
    if (parsed.value.positionals.length > 0) return usage(`unexpected argument "${parsed.value.positionals[0]}"`);
    const { since: sinceFlag, witness, "witness-file": witnessFile } = parsed.value.flags;
    const witnesses = readWitnesses(witness, witnessFile);
    if (!witnesses.ok) return usage(witnesses.error);
    const config = await configOrExit(env, "cli", io);
    if (!config) return EXIT.usage;
    const since = sinceFlag ? parseDuration(sinceFlag) : null;
    if (since && !since.ok) return usage(`--since: ${since.error}`);
    const store = await wiring.openStore(config);
    try {
      if (sub === "export") {
        const entries = await store.auditEntries(since?.ok ? { since: Date.now() / 1000 - since.value } : {});
        for (const e of entries) io.out(JSON.stringify(e));
        return EXIT.ok;
      }
      const entries = await store.auditEntries();
      const check = verifyChain(entries, await store.auditHead(), {
        keys: config.auditKeys,
        witnesses: witnesses.value,
      });
      if (!check.ok) {
        io.err(`memops audit: the audit log is broken at entry ${check.seq}: ${check.reason}`);
        return EXIT.failure;
      }
      const last = entries.at(-1);
      const { keyed, unkeyed } = keyedCount(entries);
      const lastWitness = Math.max(0, ...witnesses.value.map((w) => w.seq));
      io.out(
        [
          `audit log intact: ${check.entries} entries${last ? `; last #${last.seq} at ${new Date(last.at * 1000).toISOString()}, hash …${last.hash.slice(-16)}` : ""}`,
          keyed > 0
            ? `${keyed} keyed with HMAC-SHA256${unkeyed ? `; the first ${unkeyed} only hash-chained (written before MEMOPS_AUDIT_KEY was set)` : ""}`
            : "not keyed: whoever can write the database could rewrite and re-chain it; set MEMOPS_AUDIT_KEY",
          witnesses.value.length
            ? `matches ${witnesses.value.length} witnessed heads (up to #${lastWitness})`
            : "no witnessed heads given: entries cut off the end after the last witness cannot be seen (--witness-file)",
        ].join("\n"),
      );
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
