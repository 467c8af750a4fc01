/**
 * The CLI loads only what a command uses (issue 13): a command that reads a file answers like a CLI
 * only if it does not first load the schema library (valibot), the YAML parser, the logger, Bolt or client-node — each tens of
 * milliseconds to over a hundred. Each command runs in its own process, as a user runs it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "memops-loads-"));
const csv = join(dir, "trace.csv");
writeFileSync(
  csv,
  [
    "timestamp,working_set_bytes",
    ...Array.from({ length: 300 }, (_, i) => `${1_790_000_000 + i * 60},${(200 + i / 10) * 2 ** 20}`),
  ].join("\n"),
);

function packagesLoadedBy(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; packages: string[]; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ["--require", join(import.meta.dirname, "record-packages.cjs"), "src/main.ts", ...args],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: { PATH: process.env["PATH"] ?? "", ...env },
    },
  );
  const fd3 = (r.output[3] as string | null) ?? "";
  return { status: r.status, packages: fd3.split("\n").filter(Boolean), stderr: r.stderr };
}

/** what none of these commands needs: each is a schema library, a parser, the logger or an adapter */
const HEAVY = [
  "valibot",
  "yaml",
  "pino",
  "@slack/bolt",
  "@slack/web-api",
  "@kubernetes/client-node",
  "pg",
  "prom-client",
];

describe("memops loads only what a command uses", () => {
  it("analyze reads the file and answers without valibot, YAML, the logger or any adapter", () => {
    const r = packagesLoadedBy(["analyze", "--input", csv, "--limit", "512Mi"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it("--help and a command's --help load nothing heavy either", () => {
    for (const args of [["--help"], ["diagnose", "--help"], ["schema", "--help"], ["serve", "--help"]]) {
      const r = packagesLoadedBy(args);
      expect(r.status, args.join(" ")).toBe(0);
      expect(
        r.packages.filter((p) => HEAVY.includes(p)),
        args.join(" "),
      ).toEqual([]);
    }
  });

  it("validate loads what reads the configuration and the runbooks (valibot, YAML), not the logger or an adapter", () => {
    const r = packagesLoadedBy(["validate"], {
      SLACK_BOT_TOKEN: "xoxb-loads",
      SLACK_SIGNING_SECRET: "loads-signing-secret-0123456789",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.packages.filter((p) => HEAVY.includes(p))).toEqual(["valibot", "yaml"]);
  });
});
