/**
 * The fleet watch's part of the policy file (`watch:`): which namespaces, which channel each warns in,
 * how far ahead, and the floors that keep it quiet. Absent: no watch.
 */
import { z } from "zod";
import { parseDuration } from "../duration.ts";
import { checkLabelSelector } from "../k8s-names.ts";
import { nsMatches, nsPattern } from "../namespace-pattern.ts";
import { matchesSelector } from "../selectors.ts";
import { parseQuantity } from "../quantity.ts";

const duration = (min: number, example: string) =>
  z
    .string()
    .refine((s) => parseDuration(s).ok, `a duration such as ${example}`)
    .transform((s) => (parseDuration(s) as { value: number }).value)
    .refine((s) => s >= min, `at least ${min / 60} minutes`);

const perHour = z
  .string()
  .refine((s) => parseQuantity(s).ok, "a memory quantity per hour such as 2Mi")
  .transform((s) => (parseQuantity(s) as { value: number }).value);

const labelSelector = z.string().superRefine((s, ctx) => {
  const checked = checkLabelSelector(s);
  if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.error });
});

/** Which pods a target watches: its namespaces (all, when it names only a selector) and their labels. */
const target = z
  .strictObject({
    namespaces: z.array(nsPattern).min(1).optional(),
    selector: labelSelector.optional().describe("a label selector such as app=checkout or tier in (web,api)"),
    channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/),
  })
  .refine((t) => t.namespaces || t.selector, "name namespaces, a label selector, or both")
  .transform(({ namespaces, selector, channel }) => ({
    namespaces: namespaces ?? ["*"],
    ...(selector ? { selector: selector.trim() } : {}),
    channel,
  }));

export const watchSchema = z.strictObject({
  every: duration(60, "5m").default(300).describe("one pass over the fleet this often"),
  horizon: duration(15 * 60, "6h")
    .default(6 * 3600)
    .describe("warn when a container will reach its limit within this"),
  window: duration(3600, "24h")
    .default(24 * 3600)
    .describe("the history each candidate's trend is read from"),
  minShare: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.5)
    .describe("never warn below this share of the limit (start-up growth from a low base)"),
  minGrowthPerHour: perHour.default(2 ** 20).describe("never warn on slower growth (a small absolute slope)"),
  minConfidence: z.number().min(0).max(1).default(0.7).describe("the verdict's confidence needed to warn"),
  dailyCap: z.number().int().min(1).default(10).describe("warnings per channel per day; the rest are counted"),
  digestEvery: duration(3600, "7d")
    .default(7 * 86_400)
    .describe("each target channel gets the rightsizing digest this often (/mem digest any time)"),
  targets: z
    .array(target)
    .min(1)
    .describe("which namespaces and labels are watched, and the channel each warns in (first match wins)"),
});

export type WatchConfig = z.output<typeof watchSchema>;

export type WatchTarget = WatchConfig["targets"][number];

const inNamespaces = (t: WatchTarget, namespace: string) => t.namespaces.some((n) => nsMatches(n, namespace));

/** Whether any target watches the namespace (before its pods' labels are known). */
export const watchesNamespace = (w: WatchConfig, namespace: string): boolean =>
  w.targets.some((t) => inNamespaces(t, namespace));

/** The channel a pod's warnings go to, by its namespace and labels; null when it is not watched. */
export const watchChannel = (
  w: WatchConfig,
  namespace: string,
  labels: Readonly<Record<string, string>> = {},
): string | null =>
  w.targets.find((t) => inNamespaces(t, namespace) && matchesSelector(labels, t.selector))?.channel ?? null;

/** Every watched namespace pattern. */
export const watchedPatterns = (w: WatchConfig): string[] => [...new Set(w.targets.flatMap((t) => t.namespaces))];
