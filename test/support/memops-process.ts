/** `memops serve` as its own OS process, configured only through its environment, as it runs in production. */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { resolve } from "node:path";

export interface MemopsProcess {
  child: ChildProcess;
  /** resolves with the exit signal or code once the process is gone */
  exited: Promise<string>;
  /** SIGKILL: no handler runs, nothing is flushed */
  kill(): Promise<void>;
  /** SIGTERM, as Kubernetes stops a pod */
  stop(): Promise<void>;
}

const MAIN = resolve(import.meta.dirname, "../../src/main.ts");

/**
 * Starts `memops serve` and resolves once it logs that it is serving; its log goes to `logFile`.
 * `nodeArgs` go to node before the entry point (a `--require` preload); `fd3` opens a pipe on fd 3.
 */
export async function startMemops(
  env: Record<string, string>,
  logFile: string,
  options: { nodeArgs?: string[]; fd3?: boolean } = {},
): Promise<MemopsProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN, "serve"], {
    cwd: resolve(import.meta.dirname, "../.."),
    env: { PATH: process.env["PATH"] ?? "", LOG_LEVEL: "debug", ...env },
    stdio: ["ignore", "pipe", "pipe", ...(options.fd3 ? (["pipe"] as const) : [])],
  });
  const exited = new Promise<string>((done) => child.once("exit", (code, signal) => done(signal ?? String(code))));
  await new Promise<void>((ready, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`memops did not start within 20s; see ${logFile}`)), 20_000);
    const onData = (chunk: Buffer) => {
      appendFileSync(logFile, chunk);
      out += chunk.toString();
      if (out.includes('"msg":"memops is serving"')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((how) => {
      clearTimeout(timer);
      fail(new Error(`memops exited (${how}) before serving; see ${logFile}`));
    });
  });
  return {
    child,
    exited,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
