import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { DIAGNOSE_FLAGS, diagnoseRequest } from "../app/diagnose-args.ts";
import { type Config, loadConfig } from "../config.ts";
import { parseFlags } from "../core/args.ts";
import { analysisText, analyzeTrace } from "../core/analyze.ts";
import { verifyChain } from "../core/audit.ts";
import { parseQuantity } from "../core/quantity.ts";
import { ok } from "../core/result.ts";
import { parseTrace } from "../core/trace-file.ts";
import { summarize, summaryMarkdown } from "../core/incident-summary.ts";
import { incidentEntries } from "../app/incident-timeline.ts";
import { parseDuration } from "../core/duration.ts";
import type { ChatMessage, Store } from "../ports.ts";
import type { Report } from "../core/findings.ts";
import { type Runbook, runbookJsonSchema } from "../core/runbook.ts";
import { diagnose, type DiagnosisDeps } from "../engine/run-diagnosis.ts";
import { loadRunbooks } from "../load-runbooks.ts";
import { loadPolicy } from "../load-policy.ts";
import type { Policy } from "../core/remediation/policy.ts";
import { createLogger } from "../log.ts";
import { renderText } from "./render-text.ts";

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

/** What the CLI needs from the composition root. */
export interface Wiring {
  diagnosisDeps(config: Config, log: Logger): DiagnosisDeps;
  /** the store configured (SQLite under MEMOPS_DATA_DIR) */
  openStore(config: Config): Store;
  /** runs until the process is asked to stop */
  serve(config: Config, runbooks: Runbook[], policy: Policy | null, log: Logger): Promise<void>;
  /** runs the playground until the process is asked to stop */
  playground(options: PlaygroundFlags, runbooks: Runbook[], log: Logger): Promise<void>;
  /** the report as the chat would post it (`--format blocks`) */
  blocks(report: Report): ChatMessage[];
}

export interface PlaygroundFlags {
  port: number;
  verifyWindowSeconds: number;
  kubeconfig?: string;
  prometheus?: string;
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const HELP: Record<string, string> = {
  main: `memops — Kubernetes memory incidents from Slack

Usage: memops <command> [options]

Commands:
  serve       run the Slack app (HTTP receiver, or Socket Mode when SLACK_APP_TOKEN is set)
  playground  try memops in a browser: a local Slack channel, the app, a simulated cluster
  diagnose    run a runbook against the cluster and print the report
  analyze     classify, forecast and size one container from a CSV or JSON file of samples
  validate    check the runbooks and the configuration
  audit       verify or export the tamper-evident audit log
  incident    export an incident's post-incident document
  schema      print the JSON Schema of runbooks

Run 'memops <command> --help' for a command's options. Exit codes: 0 ok, 1 failure, 2 bad arguments or configuration.`,
  serve: "Usage: memops serve\n\nRuns the Slack app. Configuration comes from the environment (see the README).",
  playground: `Usage: memops playground [--port 8080] [--verify-window 30s] [--kubeconfig FILE [--prometheus URL]]

Starts a local Slack channel in the browser (on 127.0.0.1), the memops app wired to it with signed
requests, and a simulated cluster whose workloads misbehave (namespace demo). --kubeconfig uses a real
cluster instead (and --prometheus its Prometheus). Stop it with Ctrl-C; it keeps nothing.`,
  diagnose: `Usage: memops diagnose <target> [-n NAMESPACE] [-l SELECTOR] [--since 6h] [--runbook ID] [--format text|json|blocks]

Targets: deploy/NAME, sts/NAME, ds/NAME, pod/NAME, ns/NAME, or a bare NAME (pod or workload).
--format json prints the report; blocks prints the Slack messages that would be posted.`,
  analyze: `Usage: memops analyze --input FILE --limit 512Mi [--request 256Mi] [--max-factor 2] [--format json|text]

FILE is CSV with a header (timestamp,working_set_bytes and optionally rss_bytes,restarts,oom_killed;
timestamps in Unix seconds or RFC 3339) or JSON: an array of objects with the same fields.
--limit none analyses a container without a limit. The analysis is as of the last sample.`,
  validate:
    "Usage: memops validate\n\nChecks every runbook in MEMOPS_RUNBOOKS_DIR and the configuration for 'memops serve'.",
  audit: `Usage: memops audit verify
       memops audit export --jsonl [--since 24h]

verify checks the audit log's hash chain and names the first edited, deleted or reordered entry (exit 1).
export writes every entry as one JSON object per line, for a SIEM.`,
  incident:
    "Usage: memops incident export ID --markdown\n\nWrites the post-incident document of an incident (its id is in the logs and the audit log).",
  schema:
    "Usage: memops schema [--out FILE]\n\nPrints (or writes) the JSON Schema for runbook files, for editor completion.",
};

function configOrExit(env: Record<string, string | undefined>, mode: "serve" | "cli", io: CliIO): Config | null {
  const c = loadConfig(env, mode);
  if (c.ok) return c.value;
  io.err(`memops: configuration problems:\n${c.error.map((e) => `  ${e}`).join("\n")}`);
  return null;
}

/** The approval policy when one is configured; undefined when it is configured but broken. */
async function policyOrExit(config: Config, io: CliIO): Promise<Policy | null | undefined> {
  if (!config.policyFile) return null;
  const p = await loadPolicy(config.policyFile);
  if (p.ok) return p.value;
  io.err(`memops: policy problems:\n${p.error.map((e) => `  ${e}`).join("\n")}`);
  return undefined;
}

async function runbooksOrExit(dir: string, io: CliIO): Promise<Runbook[] | null> {
  const r = await loadRunbooks(dir);
  if (r.ok) return r.value;
  io.err(`memops: runbook problems:\n${r.error.map((e) => `  ${e}`).join("\n")}`);
  return null;
}

/** The `memops` command. Returns the exit code; only `serve` runs until stopped. */
export async function runCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CliIO,
  wiring: Wiring,
): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    io.out(HELP["main"] ?? "");
    return cmd ? EXIT.ok : EXIT.usage;
  }
  const help = HELP[cmd];
  if (!help) {
    io.err(`memops: unknown command "${cmd}"\n\n${HELP["main"] ?? ""}`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(help);
    return EXIT.ok;
  }
  switch (cmd) {
    case "schema": {
      const { values } = parseArgs({ args: [...rest], options: { out: { type: "string" } }, strict: true });
      const text = `${JSON.stringify(runbookJsonSchema(), null, 2)}\n`;
      if (values.out) await writeFile(values.out, text);
      else io.out(text);
      return EXIT.ok;
    }
    case "audit": {
      const [sub, ...more] = rest;
      const parsed = parseFlags(more, { jsonl: ["--jsonl"], since: ["--since"] }, ["jsonl"]);
      if ((sub !== "verify" && sub !== "export") || !parsed.ok || parsed.value.positionals.length > 0) {
        io.err(`memops audit: ${parsed.ok ? "say verify or export" : parsed.error}\n\n${help}`);
        return EXIT.usage;
      }
      const config = configOrExit(env, "cli", io);
      if (!config) return EXIT.usage;
      const since = parsed.value.flags["since"] ? parseDuration(parsed.value.flags["since"]) : null;
      if (since && !since.ok) {
        io.err(`memops audit: --since: ${since.error}`);
        return EXIT.usage;
      }
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
    }
    case "incident": {
      const [sub, ...more] = rest;
      const parsed = parseFlags(more, { markdown: ["--markdown"] }, ["markdown"]);
      const id = parsed.ok ? parsed.value.positionals[0] : undefined;
      if (sub !== "export" || !parsed.ok || !id || parsed.value.flags["markdown"] !== "true") {
        io.err(`memops incident: ${parsed.ok ? "say export ID --markdown" : parsed.error}\n\n${help}`);
        return EXIT.usage;
      }
      const config = configOrExit(env, "cli", io);
      if (!config) return EXIT.usage;
      const store = wiring.openStore(config);
      try {
        const incident = await store.incident(id);
        if (!incident) {
          io.err(`memops incident: no incident ${id}`);
          return EXIT.failure;
        }
        io.out(
          summaryMarkdown(
            summarize(
              incident.workload,
              incident.openedAt,
              await incidentEntries(store, incident),
              incident.resolvedAt,
            ),
          ),
        );
        return EXIT.ok;
      } finally {
        await store.close();
      }
    }
    case "validate": {
      const config = configOrExit(env, "serve", io);
      const runbooks = await runbooksOrExit(config?.runbooksDir ?? env["MEMOPS_RUNBOOKS_DIR"] ?? "runbooks", io);
      const policy = config ? await policyOrExit(config, io) : undefined;
      if (!config || !runbooks || policy === undefined) return EXIT.usage;
      io.out(
        `ok: ${runbooks.length} runbooks (${runbooks.map((r) => r.id).join(", ")}); configuration valid; ${policy ? `policy with ${policy.rules.length} rules` : "no policy (remediations off)"}`,
      );
      return EXIT.ok;
    }
    case "serve": {
      const config = configOrExit(env, "serve", io);
      if (!config) return EXIT.usage;
      const runbooks = await runbooksOrExit(config.runbooksDir, io);
      const policy = await policyOrExit(config, io);
      if (!runbooks || policy === undefined) return EXIT.usage;
      await wiring.serve(config, runbooks, policy, createLogger(config.logLevel));
      return EXIT.ok;
    }
    case "playground": {
      const parsed = parseFlags(rest, {
        port: ["--port", "-p"],
        "verify-window": ["--verify-window"],
        kubeconfig: ["--kubeconfig"],
        prometheus: ["--prometheus"],
      });
      const usage = (why: string) => {
        io.err(`memops playground: ${why}\n\n${help}`);
        return EXIT.usage;
      };
      if (!parsed.ok) return usage(parsed.error);
      if (parsed.value.positionals.length > 0)
        return usage(`unexpected argument "${parsed.value.positionals[0] ?? ""}"`);
      const f = parsed.value.flags;
      const port = Number(f["port"] ?? "8080");
      if (!/^\d{1,5}$/.test(f["port"] ?? "8080") || port > 65535)
        return usage(`--port: "${f["port"] ?? ""}" is not a port number (0-65535)`);
      const verify = parseDuration(f["verify-window"] ?? "30s");
      if (!verify.ok) return usage(`--verify-window: ${verify.error}`);
      if (f["prometheus"] && !f["kubeconfig"])
        return usage("--prometheus needs --kubeconfig: the simulated cluster has its own metrics");
      if (f["prometheus"] && !/^https?:\/\//.test(f["prometheus"]))
        return usage(`--prometheus: "${f["prometheus"]}" is not an http(s) URL`);
      const runbooks = await runbooksOrExit(env["MEMOPS_RUNBOOKS_DIR"] ?? "runbooks", io);
      if (!runbooks) return EXIT.usage;
      await wiring.playground(
        {
          port,
          verifyWindowSeconds: verify.value,
          ...(f["kubeconfig"] ? { kubeconfig: f["kubeconfig"] } : {}),
          ...(f["prometheus"] ? { prometheus: f["prometheus"] } : {}),
        },
        runbooks,
        createLogger(env["LOG_LEVEL"] ?? "warn"),
      );
      return EXIT.ok;
    }
    case "analyze": {
      const parsed = parseFlags(rest, {
        input: ["--input", "-i"],
        limit: ["--limit"],
        request: ["--request"],
        format: ["--format", "-o"],
        "max-factor": ["--max-factor"],
      });
      const usage = (why: string) => {
        io.err(`memops analyze: ${why}\n\n${help}`);
        return EXIT.usage;
      };
      if (!parsed.ok) return usage(parsed.error);
      const { input, limit, request, format = "text", "max-factor": factor = "2" } = parsed.value.flags;
      if (parsed.value.positionals.length > 0) return usage(`unexpected argument "${parsed.value.positionals[0]}"`);
      if (!input) return usage("--input FILE is required");
      if (!limit) return usage("--limit is required (the container's memory limit, e.g. 512Mi, or none)");
      if (format !== "json" && format !== "text") return usage("--format must be json or text");
      const limitBytes = limit === "none" ? ok(null) : parseQuantity(limit);
      if (!limitBytes.ok) return usage(`--limit: ${limitBytes.error}`);
      const requestBytes = request ? parseQuantity(request) : ok(null);
      if (!requestBytes.ok) return usage(`--request: ${requestBytes.error}`);
      const maxFactor = Number(factor);
      if (!(maxFactor > 1)) return usage(`--max-factor must be a number above 1 (got "${factor}")`);
      let text: string;
      try {
        text = await readFile(input, "utf8");
      } catch (e) {
        io.err(`memops analyze: cannot read ${input}: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.failure;
      }
      const trace = parseTrace(text);
      if (!trace.ok) {
        io.err(`memops analyze: ${input}: ${trace.error}`);
        return EXIT.failure;
      }
      const result = analyzeTrace(trace.value, {
        limitBytes: limitBytes.value,
        requestBytes: requestBytes.value,
        maxFactor,
      });
      io.out(format === "json" ? JSON.stringify(result, null, 2) : analysisText(result, limitBytes.value));
      return EXIT.ok;
    }
    case "diagnose": {
      const config = configOrExit(env, "cli", io);
      if (!config) return EXIT.usage;
      const parsed = parseFlags(rest, { ...DIAGNOSE_FLAGS, format: ["--format", "-o"] });
      const { format = "text", ...flags } = parsed.ok ? parsed.value.flags : {};
      const req = parsed.ok
        ? diagnoseRequest(
            { positionals: parsed.value.positionals, flags },
            { namespace: config.defaultNamespace, windowSeconds: config.defaultWindowSeconds },
          )
        : parsed;
      if (!req.ok || !["text", "json", "blocks"].includes(format)) {
        io.err(`memops diagnose: ${req.ok ? "--format must be text, json or blocks" : req.error}\n\n${help}`);
        return EXIT.usage;
      }
      const runbooks = await runbooksOrExit(config.runbooksDir, io);
      if (!runbooks) return EXIT.usage;
      const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
      const result = await diagnose(wiring.diagnosisDeps(config, log), runbooks, req.value);
      if (!result.ok) {
        io.err(`memops diagnose: ${result.error}`);
        return EXIT.failure;
      }
      io.out(
        format === "json"
          ? JSON.stringify(result.value, null, 2)
          : format === "blocks"
            ? JSON.stringify(wiring.blocks(result.value), null, 2)
            : renderText(result.value),
      );
      return EXIT.ok;
    }
  }
  return EXIT.usage;
}
