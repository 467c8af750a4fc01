/**
 * npm run bench:idle [-- ENTRY [NODE_FLAGS…]]: the resident memory of `memops serve` a few seconds after
 * start (no GC forced, as a kubelet would see it), against the Slack emulator and an unreachable API
 * server. ENTRY defaults to the compiled dist/src/main.js (run `npm run build` first); src/main.ts
 * measures the type-stripped sources. Three runs, each in a fresh process. The allocator's settings come
 * from this shell's MALLOC_* (the manifest sets MALLOC_MMAP_THRESHOLD_=131072).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlackEmulator } from "../src/slack/emulator/server.ts";
import { writeKubeconfig } from "../test/support/kubeconfig-file.ts";
import { containerEnv } from "./container-env.ts";

const [entry = "dist/src/main.js", ...flags] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), "memops-idle-"));
const kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), { server: "https://127.0.0.1:9", skipVerify: true });
const emulator = await new SlackEmulator({ botToken: "xoxb-idle", rateLimits: false }).start();
const readings: number[] = [];
for (let run = 0; run < 3; run++) {
  const child = spawn(process.execPath, [...flags, entry, "serve"], {
    // the allocator's settings (MALLOC_*) pass through from this shell
    env: containerEnv({
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("MALLOC_"))),
      SLACK_BOT_TOKEN: "xoxb-idle",
      SLACK_SIGNING_SECRET: "idle-signing-secret-0123456789",
      SLACK_API_URL: emulator.apiUrl,
      PORT: "0",
      KUBECONFIG: kubeconfig,
      MEMOPS_DATA_DIR: join(dir, `data-${run}`),
      LOG_LEVEL: "error",
    }),
    stdio: ["ignore", "ignore", "inherit"],
  });
  await new Promise((r) => setTimeout(r, 4000));
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
  readings.push(kb / 1024);
  child.kill();
  await new Promise((r) => child.once("exit", r));
}
await emulator.stop();
console.log(
  `memops serve idle RSS (${entry}${flags.length ? ` ${flags.join(" ")}` : ""}), 3 runs: ${readings.map((r) => `${r.toFixed(1)} MiB`).join(", ")}`,
);
