/**
 * What every `memops` subcommand shares: its shape, the composition root's wiring, exit codes, loading.
 * The configuration, policy and runbook loaders are imported when a command calls them: the schemas and the YAML
 * parser alone take longer to load than `memops analyze` takes to answer (test: cli-loads.test.ts).
 */
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Report } from "../core/findings.ts";
import type { Policy } from "../core/remediation/policy.ts";
import type { Runbook } from "../core/runbook.ts";
import type { DiagnosisDeps } from "../engine/run-diagnosis.ts";
import type { ChatMessage, Store } from "../ports.ts";

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export interface PlaygroundFlags {
  port: number;
  verifyWindowSeconds: number;
  kubeconfig?: string;
  prometheus?: string;
}

/**
 * What the CLI needs from the composition root. Asynchronous, so the root can import an adapter only
 * when a command uses it: `memops analyze` never loads client-node, Bolt or pg.
 */
export interface Wiring {
  diagnosisDeps(config: Config, log: Logger): DiagnosisDeps | Promise<DiagnosisDeps>;
  /** the store configured (SQLite under MEMOPS_DATA_DIR) */
  openStore(config: Config): Store | Promise<Store>;
  /** runs until the process is asked to stop */
  serve(config: Config, runbooks: Runbook[], policy: Policy | null, log: Logger): Promise<void>;
  /** runs the playground until the process is asked to stop */
  playground(options: PlaygroundFlags, runbooks: Runbook[], log: Logger): Promise<void>;
  /** the report as the chat would post it (`--format blocks`) */
  blocks(report: Report): ChatMessage[] | Promise<ChatMessage[]>;
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface CliRun {
  /** the words after the subcommand's name */
  args: readonly string[];
  env: Record<string, string | undefined>;
  io: CliIO;
  wiring: Wiring;
  /** prints why the arguments are wrong, with the usage, and returns the usage exit code */
  usage: (why: string) => number;
}

/** One `memops` subcommand, in its own file. */
export interface CliCommand {
  name: string;
  /** one line for `memops --help` */
  summary: string;
  help: string;
  run(r: CliRun): Promise<number>;
}

export async function configOrExit(
  env: Record<string, string | undefined>,
  mode: "serve" | "cli",
  io: CliIO,
): Promise<Config | null> {
  const { loadConfig } = await import("../config.ts");
  const c = loadConfig(env, mode);
  if (c.ok) return c.value;
  io.err(`memops: configuration problems:\n${c.error.map((e) => `  ${e}`).join("\n")}`);
  return null;
}

/** The approval policy when one is configured; undefined when it is configured but broken. */
export async function policyOrExit(config: Config, io: CliIO): Promise<Policy | null | undefined> {
  if (!config.policyFile) return null;
  const { loadPolicy } = await import("../load-policy.ts");
  const p = await loadPolicy(config.policyFile);
  if (p.ok) return p.value;
  io.err(`memops: policy problems:\n${p.error.map((e) => `  ${e}`).join("\n")}`);
  return undefined;
}

export async function runbooksOrExit(dir: string, io: CliIO): Promise<Runbook[] | null> {
  const { loadRunbooks } = await import("../load-runbooks.ts");
  const r = await loadRunbooks(dir);
  if (r.ok) return r.value;
  io.err(`memops: runbook problems:\n${r.error.map((e) => `  ${e}`).join("\n")}`);
  return null;
}
