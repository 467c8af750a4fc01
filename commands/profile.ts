import { parseFlags } from "../src/core/args.ts";
import { parseDuration } from "../src/core/duration.ts";
import { excerpt } from "../src/core/excerpt.ts";
import { err, ok } from "../src/core/result.ts";
import { parseTarget } from "../src/core/target.ts";
import { profileHeap, type ProfileRequest } from "../src/app/profile-heap.ts";
import { command } from "./command.ts";

const MIN_COMPARE = 10,
  MAX_COMPARE = 3600;

/** `/mem profile <target> [-n NS] [--port 6060] [--path /debug/pprof/heap] [--compare 10m]` */
export const profileCommand = command<ProfileRequest>({
  name: "profile",
  summary:
    "Take a Go heap profile through the API server's pod proxy and post its top functions; --compare takes a second one and shows what grew",
  usage:
    "/mem profile <deploy/NAME|sts/NAME|ds/NAME|pod/NAME> [-n NAMESPACE] [--port 6060] [--path /debug/pprof/heap] [--compare 10m]",
  quick: false,
  parse: (words, defaults) => {
    const parsed = parseFlags(words, {
      namespace: ["-n", "--namespace"],
      port: ["--port"],
      path: ["--path"],
      compare: ["--compare"],
    });
    if (!parsed.ok) return parsed;
    const { positionals, flags } = parsed.value;
    if (positionals.length !== 1) return err("name one workload or pod to profile");
    const target = parseTarget(positionals[0], flags["namespace"] ?? defaults.namespace);
    if (!target.ok) return target;
    const kind = target.value.kind;
    if (kind === "namespace" || kind === "selector" || kind === "any")
      return err("a heap profile is of one pod: name a workload (memops picks its pod) or pod/NAME");
    const port = flags["port"] ?? "6060";
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
      return err(`--port: "${excerpt(port)}" is not a port (1–65535)`);
    const path = flags["path"] ?? "/debug/pprof/heap";
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path) || path.split("/").includes(".."))
      return err(`--path: "${excerpt(path)}" is not a plain URL path such as /debug/pprof/heap`);
    let compareSeconds: number | null = null;
    if (flags["compare"] !== undefined) {
      const d = parseDuration(flags["compare"]);
      if (!d.ok) return err(`--compare: ${d.error}`);
      if (d.value < MIN_COMPARE || d.value > MAX_COMPARE)
        return err(`--compare must be between 10s and 1h (got ${excerpt(flags["compare"])})`);
      compareSeconds = d.value;
    }
    return ok({ target: target.value, port: Number(port), path, compareSeconds });
  },
  async run(req, ctx) {
    const r = await profileHeap({ incidents: ctx.incidents, sleep: (ms) => ctx.sleep(ms) }, req, ctx.channel, ctx.user);
    if (!r.ok) await ctx.refuse(r.error);
  },
});
