import { type ParsedArgs, parseFlags } from "../src/core/args.ts";
import type { WorkloadObject } from "../src/core/model.ts";
import { gitOpsOwner } from "../src/core/remediation/gitops.ts";
import { channelMay } from "../src/core/remediation/policy.ts";
import type { Plan } from "../src/core/remediation/plan.ts";
import { routeFor } from "../src/core/remediation/route.ts";
import { err, ok, type Result } from "../src/core/result.ts";
import { parseTarget, type Target } from "../src/core/target.ts";
import { resolveTarget } from "../src/engine/resolve-target.ts";
import type { CommandDefaults } from "../src/app/diagnose-args.ts";
import type { CommandContext } from "./command.ts";

/** Parses `<target> [-n ns] …` for a remediation command; the caller names its other flags and positionals. */
export function parseRemediation(
  words: readonly string[],
  defaults: CommandDefaults,
  extraFlags: Record<string, readonly string[]>,
  positionals: number,
): Result<{ target: Target; rest: string[]; flags: ParsedArgs["flags"] }> {
  const parsed = parseFlags(words, { namespace: ["-n", "--namespace"], ...extraFlags });
  if (!parsed.ok) return parsed;
  const [first, ...rest] = parsed.value.positionals;
  if (rest.length !== positionals - 1)
    return err(
      positionals === 1
        ? "say which workload, and nothing else"
        : `expected ${positionals} arguments, got ${parsed.value.positionals.length}`,
    );
  const target = parseTarget(first, parsed.value.flags["namespace"] ?? defaults.namespace);
  if (!target.ok) return target;
  if (target.value.kind === "namespace") return err("a remediation acts on one workload, not a namespace");
  return ok({ target: target.value, rest, flags: parsed.value.flags });
}

/** The workload a remediation acts on: the target itself, or the controller that owns the pod. */
export async function workloadOf(ctx: CommandContext, target: Target): Promise<Result<WorkloadObject>> {
  const r = await resolveTarget(ctx.incidents.diagnosis.cluster, target);
  if (!r.ok) return r;
  const ref = r.value.workload;
  if (!ref)
    return err(
      `${r.value.ownerChain[0] ?? "this pod"} has no controller: memops will not delete a bare pod, which would not come back`,
    );
  const w = await ctx.incidents.diagnosis.cluster.getWorkload(r.value.namespace, ref.kind, ref.name);
  return w ? ok(w) : err(`${ref.kind} "${ref.name}" not found in namespace "${r.value.namespace}"`);
}

const remediationOff = "Remediation is off: memops has no approval policy (MEMOPS_POLICY_FILE).";

type Remediation = NonNullable<CommandContext["remediation"]>;

/**
 * The flow every remediation command shares: find the workload, plan the change, ask for it on the
 * typing person's behalf (the approval card follows); any refusal is a private reply.
 */
export async function askFor(
  ctx: CommandContext,
  target: Target,
  plan: (w: WorkloadObject, r: Remediation) => Promise<Result<Plan>> | Result<Plan>,
): Promise<void> {
  const r = ctx.remediation;
  if (!r) return ctx.refuse(remediationOff);
  const bound = channelMay(r.policy, ctx.channel, target.namespace);
  if (!bound.ok) return ctx.refuse(bound.error);
  const w = await workloadOf(ctx, target);
  const planned = w.ok ? await plan(w.value, r) : w;
  const owner = w.ok ? gitOpsOwner(w.value.labels, w.value.annotations) : null;
  const asked =
    planned.ok && w.ok
      ? await r.propose(
          planned.value,
          owner,
          routeFor(planned.value, owner, w.value.annotations, ctx.incidents.diagnosis.clock.now()),
        )
      : planned;
  if (!asked.ok) await ctx.refuse(asked.error);
}
