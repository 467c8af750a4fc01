import * as v from "valibot";
import { parseFlags } from "../src/core/args.ts";
import { nsPattern } from "../src/core/namespace-pattern.ts";
import { channelMay } from "../src/core/remediation/policy.ts";
import { err, ok } from "../src/core/result.ts";
import { type DigestScope, postDigest } from "../src/app/post-digest.ts";
import { command } from "./command.ts";

/** `/mem digest [-n NS]`: the rightsizing digest now, of the namespaces given or what the channel watches. */
export const digestCommand = command<{ namespaces: string[] }>({
  name: "digest",
  summary: "Post the rightsizing digest: over- and under-provisioned workloads, requests that could be freed, a CSV",
  usage: "/mem digest [-n NAMESPACE[,NAMESPACE…]]",
  quick: false,
  parse: (words) => {
    const parsed = parseFlags(words, { namespace: ["-n", "--namespace"] });
    if (!parsed.ok) return parsed;
    if (parsed.value.positionals.length > 0) return err("name namespaces with -n, not workloads");
    const given = (parsed.value.flags["namespace"] ?? "").split(",").filter(Boolean);
    for (const n of given) if (!v.safeParse(nsPattern, n).success) return err(`-n: "${n}" is not a namespace`);
    return ok({ namespaces: given });
  },
  async run(args, ctx) {
    const policy = ctx.remediation?.policy ?? ctx.incidents.policy;
    const watched = policy?.watch?.targets.filter((t) => t.channel === ctx.channel) ?? [];
    const scopes: DigestScope[] = args.namespaces.length ? [{ namespaces: args.namespaces }] : watched;
    const namespaces = scopes.flatMap((s) => s.namespaces);
    if (namespaces.length === 0)
      return ctx.refuse(
        "this channel watches no namespaces: name them with -n, or add the channel to the policy's watch: targets",
      );
    for (const n of namespaces) {
      const may = channelMay(policy, ctx.channel, n.replace(/\*$/, ""));
      if (!may.ok) return ctx.refuse(may.error);
    }
    const posted = await postDigest(
      { incidents: ctx.incidents, metrics: ctx.incidents.diagnosis.metrics, maxFactor: policy?.maxLimitFactor ?? 2 },
      ctx.channel,
      scopes,
    );
    if (!posted.ok) return ctx.refuse(posted.error);
  },
});
