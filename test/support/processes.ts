import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";

/** A free loopback port (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts long-running servers for a test tier and records their PIDs in a file, so a later run
 * kills what a crashed run left behind, and teardown kills them whatever happened to the tests.
 */
export class ProcessGroup {
  readonly #pidFile: string;
  readonly #children: ChildProcess[] = [];

  constructor(pidFile: string) {
    this.#pidFile = pidFile;
    ProcessGroup.killRecorded(pidFile);
    process.once("exit", () => this.killNow());
  }

  /** Kills the processes a previous run recorded and did not stop. */
  static killRecorded(pidFile: string): void {
    if (!existsSync(pidFile)) return;
    for (const pid of JSON.parse(readFileSync(pidFile, "utf8")) as number[]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
      }
    }
    writeFileSync(pidFile, "[]");
  }

  start(
    name: string,
    command: string,
    args: string[],
    logFile: string,
    env: NodeJS.ProcessEnv = process.env,
  ): ChildProcess {
    const log = createWriteStream(logFile);
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.once("error", (e) => log.write(`\n[${name}] failed to start: ${e.message}\n`));
    this.#children.push(child);
    writeFileSync(this.#pidFile, JSON.stringify(this.#children.map((c) => c.pid).filter(Boolean)));
    return child;
  }

  killNow(): void {
    for (const c of this.#children) if (c.exitCode === null) c.kill("SIGKILL");
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill("SIGKILL"), 5000);
            c.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill("SIGTERM");
          }),
      ),
    );
    writeFileSync(this.#pidFile, "[]");
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes; the error names what never became ready. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  exited?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    if (exited && exited.exitCode !== null)
      throw new Error(`${what} exited with code ${exited.exitCode} before it was ready`);
    try {
      if (await check()) return;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000}s${last ? ` (last error: ${last})` : ""}`);
}
