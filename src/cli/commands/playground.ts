import { parseFlags } from "../../core/args.ts";
import { parseDuration } from "../../core/duration.ts";
import { type CliCommand, configOrExit, EXIT, runbooksOrExit } from "../cli.ts";

export const playground: CliCommand = {
  name: "playground",
  summary: "try memops in a browser: a local Slack channel, the app, a simulated cluster",
  help: `Usage: memops playground [--port 8080] [--verify-window 30s] [--kubeconfig FILE [--prometheus URL]]

Starts a local Slack channel in the browser (on 127.0.0.1), the memops app wired to it with signed
requests, and a simulated cluster whose workloads misbehave (namespace demo). --kubeconfig uses a real
cluster instead (and --prometheus its Prometheus). Stop it with Ctrl-C; it keeps nothing.`,
  async run({ args, env, io, wiring, usage }) {
    const parsed = parseFlags(args, {
      port: ["--port", "-p"],
      "verify-window": ["--verify-window"],
      kubeconfig: ["--kubeconfig"],
      prometheus: ["--prometheus"],
    });
    if (!parsed.ok) return usage(parsed.error);
    if (parsed.value.positionals.length > 0) return usage(`unexpected argument "${parsed.value.positionals[0]}"`);
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
    // The environment goes through the same checks as for serve (LOG_LEVEL, MEMOPS_RUNBOOKS_DIR, …).
    const config = await configOrExit(env, "cli", io);
    if (!config) return EXIT.usage;
    const runbooks = await runbooksOrExit(config.runbooksDir, io);
    if (!runbooks) return EXIT.usage;
    const { createLogger } = await import("../../log.ts");
    await wiring.playground(
      {
        port,
        verifyWindowSeconds: verify.value,
        ...(f["kubeconfig"] ? { kubeconfig: f["kubeconfig"] } : {}),
        ...(f["prometheus"] ? { prometheus: f["prometheus"] } : {}),
      },
      runbooks,
      // quiet unless asked: the page is the interface
      createLogger(env["LOG_LEVEL"] ? config.logLevel : "warn"),
    );
    return EXIT.ok;
  },
};
