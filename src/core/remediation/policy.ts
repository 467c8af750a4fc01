import * as v from "valibot";
import { parseDuration } from "../duration.ts";
import { parseQuantity } from "../quantity.ts";
import { nsMatches, nsPattern } from "../namespace-pattern.ts";
import { REMEDIATIONS } from "../runbook.ts";
import { described, parsedBy } from "../schema-check.ts";
import { issueLines } from "../schema-issues.ts";
import { watchSchema } from "../watch/watch-config.ts";

export type Action = (typeof REMEDIATIONS)[number];

const slackId = v.pipe(
  v.string(),
  v.regex(/^([UWS][A-Z0-9]{2,}|\*)$/, "a Slack user id (U…/W…), a user group id (S…), or *"),
);
const quantity = v.pipe(v.string(), parsedBy(parseQuantity, "a memory quantity such as 4Gi"));
const atLeastOne = <S extends v.GenericSchema>(item: S) => v.pipe(v.array(item), v.minLength(1));
const ruleSchema = v.strictObject({
  namespaces: atLeastOne(nsPattern),
  actions: atLeastOne(v.picklist(REMEDIATIONS)),
  request: described(atLeastOne(slackId), "who may ask for the action"),
  approve: described(atLeastOne(slackId), "who may approve it"),
  approvals: v.optional(
    described(
      v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3)),
      "distinct approvers needed (2 for protected namespaces)",
    ),
    1,
  ),
  limitCeiling: v.optional(described(quantity, "never raise a memory limit above this")),
  maxReplicas: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  onCall: v.optional(
    described(v.pipe(v.string(), v.regex(/^S[A-Z0-9]{2,}$/, "a user group id (S…)")), "mentioned on escalation"),
  ),
});

const channelId = v.pipe(v.string(), v.regex(/^[CG][A-Z0-9]{2,}$/, "a Slack channel id (C…)"));

export const policySchema = v.strictObject({
  expiry: v.optional(
    v.pipe(
      v.string(),
      v.check((s) => parseDuration(s).ok, "a duration such as 15m"),
    ),
    "15m",
  ),
  selfApproval: v.optional(v.boolean(), false),
  maxLimitFactor: v.optional(v.pipe(v.number(), v.minValue(1.1), v.maxValue(10)), 2),
  rules: atLeastOne(ruleSchema),
  identities: v.optional(
    v.record(
      v.pipe(v.string(), v.regex(/^[UW][A-Z0-9]{2,}$/, "a Slack user id (U…/W…)")),
      v.strictObject({ user: v.pipe(v.string(), v.minLength(1)), groups: v.optional(v.array(v.string()), []) }),
    ),
    {},
  ),
  channels: v.optional(
    described(
      v.record(channelId, atLeastOne(nsPattern)),
      "channel id → the namespaces it may diagnose and act on; when set, a channel not listed may do neither",
    ),
  ),
  diagnoseAccess: v.optional(
    described(
      v.literal("subject-access-review", 'only "subject-access-review" is supported'),
      "also check that the person's mapped identity may read pods/log in the namespace",
    ),
  ),
  // Impersonating the approver is not implemented yet: refuse it rather than pretend.
  watch: v.optional(
    described(watchSchema, "the fleet watch: warn before containers reach their limits (off without it)"),
  ),
  permissionCheck: v.optional(
    v.literal(
      "subject-access-review",
      'only "subject-access-review" is supported (impersonation is not implemented yet)',
    ),
    "subject-access-review",
  ),
});

export type Policy = v.InferOutput<typeof policySchema>;

/** The Kubernetes identity mapped to a Slack user: an own property only, never one of Object.prototype's. */
export const identityFor = (p: Policy, slackUser: string): Policy["identities"][string] | undefined =>
  Object.hasOwn(p.identities, slackUser) ? p.identities[slackUser] : undefined;
export type PolicyRule = Policy["rules"][number];

export function parsePolicy(doc: unknown): { ok: true; value: Policy } | { ok: false; error: string[] } {
  const r = v.safeParse(policySchema, doc);
  return r.success ? { ok: true, value: r.output } : { ok: false, error: issueLines(r.issues) };
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
