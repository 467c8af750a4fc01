/** npm run bench: ack latency, end-to-end diagnose latency and the app's RSS, printed as Markdown. */
import { fork } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { SlackEmulator } from "../src/slack/emulator/server.ts";
import { SignedRequests } from "../src/slack/emulator/signed-requests.ts";
import { untilVerdict } from "./until-verdict.ts";
import { quantile } from "../src/core/stats.ts";

const BOT = "xoxb-bench-token";
const SECRET = "bench-signing-secret-0123456789";
const single = Number(process.env["BENCH_SINGLE"] ?? 200);
const large = Number(process.env["BENCH_LARGE"] ?? 20);
/** One channel per run: each diagnosis opens its own incident (a repeat in a channel would join the open one). */
const CHANNELS = single + large + 10;
const USER = "U0ALICE";

// Slack's rate limits are off: this measures memops itself. Slack calls per diagnosis are reported below.
const emulator = await new SlackEmulator({
  botToken: BOT,
  rateLimits: false,
  channels: Array.from({ length: CHANNELS }, (_, i) => ({
    id: `C${String(i).padStart(4, "0")}`,
    name: `incident-${i}`,
  })),
}).start();
type Rss = { rss: number; heap: number; maxRss: number };
function startApp(mode: "idle" | "loaded") {
  const child = fork(new URL("./app-process.ts", import.meta.url).pathname, [emulator.apiUrl, BOT, SECRET, mode], {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = <T>(msg: string): Promise<T> =>
    new Promise((resolve) => {
      child.once("message", (m) => resolve(m as T));
      if (msg) child.send(msg);
    });
  return { child, ask };
}

// A freshly started app with nothing in memory: the idle RSS target.
const idleApp = startApp("idle");
await idleApp.ask<{ port: number }>("");
await new Promise((r) => setTimeout(r, 1000));
const idle = await idleApp.ask<Rss>("rss");
idleApp.child.send("stop");

const { child, ask } = startApp("loaded");
const { port } = await ask<{ port: number }>("");
const slack = new SignedRequests({ appUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, emulator });
const loaded = await ask<Rss>("rss");

const ws = emulator.workspace;
let n = 0;
async function run(text: string, count: number) {
  const acks: number[] = [];
  const e2e: number[] = [];
  for (let i = 0; i < count; i++) {
    const channel = `C${String(n++ % CHANNELS).padStart(4, "0")}`;
    const before = ws.messages.length;
    const started = performance.now();
    const res = await slack.slash({ user: USER, channel, text });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    acks.push(res.millis);
    await untilVerdict(ws, channel, before, 30_000);
    e2e.push(performance.now() - started);
  }
  return { acks, e2e };
}

await run("diagnose deploy/api -n shop", 10); // warm-up
const callsBefore = new Map(emulator.api.calls);
const a = await run("diagnose deploy/api -n shop", single);
const perDiagnosis = [...emulator.api.calls]
  .map(([m, c]) => `${m} ${((c - (callsBefore.get(m) ?? 0)) / single).toFixed(1)}`)
  .join(", ");
const b = await run("diagnose ns/big", large);
const peak = await ask<Rss>("rss");
child.send("stop");
await emulator.stop();

const ms = (xs: number[], q: number) => `${quantile(xs, q).toFixed(1)} ms`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
console.log(`
| measure | n | p50 | p99 | target |
|---|---|---|---|---|
| ack, /mem diagnose deploy/api (3 pods) | ${a.acks.length} | ${ms(a.acks, 0.5)} | ${ms(a.acks, 0.99)} | p99 < 100 ms |
| end to end, deploy/api (3 pods, 6 containers) | ${a.e2e.length} | ${ms(a.e2e, 0.5)} | ${ms(a.e2e, 0.99)} | < 1 s |
| ack, /mem diagnose ns/big (2,000 pods) | ${b.acks.length} | ${ms(b.acks, 0.5)} | ${ms(b.acks, 0.99)} | p99 < 100 ms |
| end to end, ns/big (2,000 pods) | ${b.e2e.length} | ${ms(b.e2e, 0.5)} | ${ms(b.e2e, 0.99)} | — |

| memory of the app process | value | target |
|---|---|---|
| RSS idle, a freshly started app (after GC) | ${mb(idle.rss)} (heap ${mb(idle.heap)}) | < 80 MB |
| RSS with the benchmark's fixtures loaded (2,000 pods × 6 h of samples) | ${mb(loaded.rss)} (heap ${mb(loaded.heap)}) | — |
| RSS after all runs (after GC) | ${mb(peak.rss)} (heap ${mb(peak.heap)}) | — |
| peak RSS during the runs (maxRSS) | ${mb(peak.maxRss)} | — |

Slack Web API calls per diagnosis of deploy/api: ${perDiagnosis}.

Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.
`);
