/**
 * The fleet watch's part of the policy file (`watch:`): which namespaces, which channel each warns in,
 * how far ahead, and the floors that keep it quiet. Absent: no watch.
 */
import * as v from "valibot";
import { parseDuration } from "../duration.ts";
import { checkLabelSelector } from "../k8s-names.ts";
import { nsMatches, nsPattern } from "../namespace-pattern.ts";
import { matchesSelector } from "../selectors.ts";
import { parseQuantity } from "../quantity.ts";
import { checkedBy, described, parsedBy } from "../schema-check.ts";

/** A duration in seconds, at least `min`; its default is written as a person would ("5m"). */
const duration = (min: number, example: string, byDefault: string, text: string) =>
  v.optional(
    described(
      v.pipe(
        v.string(),
        parsedBy(parseDuration, `a duration such as ${example}`),
        v.check((s) => s >= min, `at least ${min / 60} minutes`),
      ),
      text,
    ),
    byDefault,
  );

const perHour = v.pipe(v.string(), parsedBy(parseQuantity, "a memory quantity per hour such as 2Mi"));

const labelSelector = v.pipe(v.string(), checkedBy(checkLabelSelector));

/** Which pods a target watches: its namespaces (all, when it names only a selector) and their labels. */
const target = v.pipe(
  v.strictObject({
    namespaces: v.optional(v.pipe(v.array(nsPattern), v.minLength(1))),
    selector: v.optional(described(labelSelector, "a label selector such as app=checkout or tier in (web,api)")),
    channel: v.pipe(v.string(), v.regex(/^[CG][A-Z0-9]{2,}$/, "a Slack channel id (C…)")),
  }),
  v.check((t) => !!(t.namespaces || t.selector), "name namespaces, a label selector, or both"),
  v.transform(({ namespaces, selector, channel }) => ({
    namespaces: namespaces ?? ["*"],
    ...(selector ? { selector: selector.trim() } : {}),
    channel,
  })),
);

export const watchSchema = v.strictObject({
  every: duration(60, "5m", "5m", "one pass over the fleet this often"),
  horizon: duration(15 * 60, "6h", "6h", "warn when a container will reach its limit within this"),
  window: duration(3600, "24h", "24h", "the history each candidate's trend is read from"),
  minShare: v.optional(
    described(
      v.pipe(v.number(), v.gtValue(0), v.ltValue(1)),
      "never warn below this share of the limit (start-up growth from a low base)",
    ),
    0.5,
  ),
  minGrowthPerHour: v.optional(described(perHour, "never warn on slower growth (a small absolute slope)"), "1Mi"),
  minConfidence: v.optional(
    described(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), "the verdict's confidence needed to warn"),
    0.7,
  ),
  dailyCap: v.optional(
    described(v.pipe(v.number(), v.integer(), v.minValue(1)), "warnings per channel per day; the rest are counted"),
    10,
  ),
  digestEvery: duration(
    3600,
    "7d",
    "7d",
    "each target channel gets the rightsizing digest this often (/mem digest any time)",
  ),
  targets: described(
    v.pipe(v.array(target), v.minLength(1)),
    "which namespaces and labels are watched, and the channel each warns in (first match wins)",
  ),
});

export type WatchConfig = v.InferOutput<typeof watchSchema>;

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
