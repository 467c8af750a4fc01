import { z } from "zod";
import { parseDuration } from "../duration.ts";
import { parseQuantity } from "../quantity.ts";
import { nsMatches, nsPattern } from "../namespace-pattern.ts";
import { REMEDIATIONS } from "../runbook.ts";
import { watchSchema } from "../watch/watch-config.ts";

export type Action = (typeof REMEDIATIONS)[number];

const slackId = z.string().regex(/^([UWS][A-Z0-9]{2,}|\*)$/, "a Slack user id (U…/W…), a user group id (S…), or *");
const quantity = z
  .string()
  .refine((s) => parseQuantity(s).ok, "a memory quantity such as 4Gi")
  .transform((s) => (parseQuantity(s) as { value: number }).value);
const ruleSchema = z.strictObject({
  namespaces: z.array(nsPattern).min(1),
  actions: z.array(z.enum(REMEDIATIONS)).min(1),
  request: z.array(slackId).min(1).describe("who may ask for the action"),
  approve: z.array(slackId).min(1).describe("who may approve it"),
  approvals: z
    .number()
    .int()
    .min(1)
    .max(3)
    .default(1)
    .describe("distinct approvers needed (2 for protected namespaces)"),
  limitCeiling: quantity.optional().describe("never raise a memory limit above this"),
  maxReplicas: z.number().int().min(1).optional(),
  onCall: z
    .string()
    .regex(/^S[A-Z0-9]{2,}$/, "a user group id (S…)")
    .optional()
    .describe("mentioned on escalation"),
});

export const policySchema = z.strictObject({
  expiry: z
    .string()
    .refine((s) => parseDuration(s).ok, "a duration such as 15m")
    .default("15m"),
  selfApproval: z.boolean().default(false),
  maxLimitFactor: z.number().min(1.1).max(10).default(2),
  rules: z.array(ruleSchema).min(1),
  identities: z
    .record(
      z.string().regex(/^[UW][A-Z0-9]{2,}$/),
      z.strictObject({ user: z.string().min(1), groups: z.array(z.string()).default([]) }),
    )
    .default({}),
  channels: z
    .record(z.string().regex(/^[CG][A-Z0-9]{2,}$/, "a Slack channel id (C…)"), z.array(nsPattern).min(1))
    .optional()
    .describe("channel id → the namespaces it may diagnose and act on; when set, a channel not listed may do neither"),
  diagnoseAccess: z
    .literal("subject-access-review", { message: 'only "subject-access-review" is supported' })
    .optional()
    .describe("also check that the person's mapped identity may read pods/log in the namespace"),
  // Impersonating the approver is not implemented yet: refuse it rather than pretend.
  watch: watchSchema.optional().describe("the fleet watch: warn before containers reach their limits (off without it)"),
  permissionCheck: z
    .literal("subject-access-review", {
      message: 'only "subject-access-review" is supported (impersonation is not implemented yet)',
    })
    .default("subject-access-review"),
});

export type Policy = z.output<typeof policySchema>;

/** The Kubernetes identity mapped to a Slack user: an own property only, never one of Object.prototype's. */
export const identityFor = (p: Policy, slackUser: string): Policy["identities"][string] | undefined =>
  Object.hasOwn(p.identities, slackUser) ? p.identities[slackUser] : undefined;
export type PolicyRule = Policy["rules"][number];

export function parsePolicy(doc: unknown): { ok: true; value: Policy } | { ok: false; error: string[] } {
  const r = policySchema.safeParse(doc);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, error: r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`) };
}

export const expirySeconds = (p: Policy): number => {
  const d = parseDuration(p.expiry);
  return d.ok ? d.value : 900;
};

/**
 * May this channel look at (and act on) this namespace? Without channel bindings, any channel may; with
 * them, only the namespaces its binding lists. An own-property lookup: no channel id is Object.prototype's.
 */
export function channelMay(
  p: Policy | null,
  channel: string,
  namespace: string,
): { ok: true } | { ok: false; error: string } {
  if (!p?.channels) return { ok: true };
  const bound = Object.hasOwn(p.channels, channel) ? p.channels[channel] : undefined;
  if (!bound)
    return {
      ok: false,
      error:
        "memops is not set up for this channel: its policy binds channels to namespaces, and this channel has none",
    };
  return bound.some((n) => nsMatches(n, namespace))
    ? { ok: true }
    : { ok: false, error: `this channel may diagnose ${bound.join(", ")}, not namespace ${namespace}` };
}

/** The first rule for this namespace and action; none means the action is not allowed there. */
export function ruleFor(p: Policy, namespace: string, action: Action): PolicyRule | undefined {
  return p.rules.find((r) => r.actions.includes(action) && r.namespaces.some((n) => nsMatches(n, namespace)));
}

/** Is the user listed, directly or through one of their user groups? */
export function listed(who: readonly string[], user: string, groups: readonly string[]): boolean {
  return who.includes("*") || who.includes(user) || groups.some((g) => who.includes(g));
}

/** The Slack ids to mention on an approval card: groups as <!subteam^S…>, users as <@U…>. */
export function mentions(who: readonly string[]): string {
  return who
    .filter((w) => w !== "*")
    .map((w) => (w.startsWith("S") ? `<!subteam^${w}>` : `<@${w}>`))
    .join(" ");
}
