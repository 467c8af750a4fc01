import { spawn } from "node:child_process";
import { join } from "node:path";

/** Runs the audit writer, SIGKILLs it after `after` acknowledged entries, and returns the highest acknowledged seq. */
export async function killDuringWrites(args: string[], after = 300): Promise<number> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "audit-writer.ts"), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      acked >= after ? resolve() : reject(new Error(`the writer exited (${code}) after ${acked} entries`)),
    );
    child.stdout.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) acked = Math.max(acked, Number(m[1]));
      }
      if (acked >= after && child.exitCode === null) child.kill("SIGKILL");
    });
  });
  return acked;
}
