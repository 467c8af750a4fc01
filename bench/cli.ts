/**
 * npm run bench:cli — how long `memops` takes as a command-line tool, start to exit, as a user runs it:
 * the published bin (compiled JavaScript; run `npm run build` first, as `npm run bench:cli` does), each
 * command in its own process, the first run with an empty compile cache and then BENCH_RUNS (default 5)
 * with it warm. Peak RSS from GNU time when /usr/bin/time is there. Exits 1 when a target is missed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "../src/core/stats.ts";

const RUNS = Number(process.env["BENCH_RUNS"] ?? 5);
const dir = mkdtempSync(join(tmpdir(), "memops-bench-cli-"));
const csv = join(dir, "300.csv");
writeFileSync(
  csv,
  [
    "timestamp,working_set_bytes",
    ...Array.from({ length: 300 }, (_, i) => `${1_790_000_000 + i * 60},${Math.round((200 + i / 10) * 2 ** 20)}`),
  ].join("\n") + "\n",
);
const env = {
  PATH: process.env["PATH"] ?? "",
  XDG_CACHE_HOME: join(dir, "cache"), // an empty compile cache for the first run, this bench's own after
  MEMOPS_DATA_DIR: join(dir, "data"),
  SLACK_BOT_TOKEN: "xoxb-bench-cli",
  SLACK_SIGNING_SECRET: "bench-cli-signing-secret-0123456789",
};
const gnuTime = existsSync("/usr/bin/time");
const COMMANDS: { args: string[]; target: number | null }[] = [
  { args: ["analyze", "--input", csv, "--limit", "512Mi"], target: 300 },
  { args: ["validate"], target: 300 },
  { args: ["schema"], target: 300 },
  { args: ["audit", "verify"], target: 300 },
  { args: ["--help"], target: null },
];

function once(args: string[]): { ms: number; kb: number | null } {
  const started = performance.now();
  const r = gnuTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "bin/memops.js", ...args], { env, encoding: "utf8" })
    : spawnSync(process.execPath, ["bin/memops.js", ...args], { env, encoding: "utf8" });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`memops ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  const kb = gnuTime ? Number(r.stderr.trim().split("\n").at(-1)) : null;
  return { ms, kb };
}

const bare = median(
  Array.from({ length: RUNS }, () => {
    const started = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    return performance.now() - started;
  }),
);
let pass = true;
const rows = COMMANDS.map(({ args, target }) => {
  const cold = once(args);
  const warm = Array.from({ length: RUNS }, () => once(args));
  const ms = median(warm.map((w) => w.ms));
  const kb = warm[0]!.kb;
  const met = target === null || ms < target;
  pass &&= met;
  const name = `\`memops ${args.map((a) => (a === csv ? "300.csv" : a)).join(" ")}\``;
  return `| ${name} | ${cold.ms.toFixed(0)} ms | ${ms.toFixed(0)} ms (${Math.min(...warm.map((w) => w.ms)).toFixed(0)}–${Math.max(...warm.map((w) => w.ms)).toFixed(0)}) | ${kb === null ? "—" : `${(kb / 1024).toFixed(0)} MB`} | ${target === null ? "—" : `< ${target} ms: **${met ? "met" : "NOT met"}**`} |`;
});
console.log(`## \`npm run bench:cli\`

${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; bare \`node -e 0\` ${bare.toFixed(0)} ms. Each command start to exit, its own process; the first run with an empty compile cache, then the median of ${RUNS}.

| command | first run | warm, median (range) | peak RSS | target (issue 13) |
|---|---|---|---|---|
${rows.join("\n")}
`);
process.exitCode = pass ? 0 : 1;
