import * as v from "valibot";
import { parseDuration } from "./duration.ts";
import { compileLinePattern } from "./line-pattern.ts";
import { parseTemplate } from "./promql-template.ts";
import { checkedBy, described } from "./schema-check.ts";
import { issueLines } from "./schema-issues.ts";
import type { StepKind } from "./findings.ts";

const duration = v.pipe(
  v.string(),
  v.check((s) => parseDuration(s).ok, "not a duration (examples: 5s, 30s, 2m)"),
);
const linePattern = v.pipe(v.string(), v.maxLength(500), checkedBy(compileLinePattern));
const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const common = {
  title: v.optional(
    described(v.pipe(v.string(), v.minLength(1), v.maxLength(80)), "Heading of this step's section in the report"),
  ),
  timeout: v.optional(
    described(duration, "How long the step may take before its section is marked unavailable"),
    "10s",
  ),
};
const step = <K extends string, E extends v.ObjectEntries = Record<never, never>>(
  kind: K,
  text: string,
  entries: E = {} as E,
) => described(v.strictObject({ kind: v.literal(kind), ...common, ...entries }), text);

export const STEP_KINDS = [
  "usage-vs-limit",
  "oom-history",
  "logs-grep",
  "node-pressure",
  "memory-trend",
  "promql",
  "count-resources",
  "runtime",
  "correlate",
  "heap-profile",
  "next-steps",
] as const satisfies readonly StepKind[];

export const stepSchema = v.variant("kind", [
  step("usage-vs-limit", "Usage vs request and limit per container"),
  step("oom-history", "OOMKilled terminations, restarts, CrashLoopBackOff and OOM events"),
  step("logs-grep", "Memory-related log lines of the killed container, current and previous", {
    maxLines: v.optional(described(int(1, 50), "At most this many matching lines per container log"), 15),
    tailLines: v.optional(described(int(10, 10_000), "How many lines to read from the end of each log"), 2000),
    pattern: v.optional(
      described(
        linePattern,
        "Case-insensitive RE2 regular expression (linear time; no backreferences or lookaround); default: memory/oom/heap/gc/allocation words",
      ),
    ),
  }),
  step("node-pressure", "MemoryPressure and allocatable vs requests of the pods' nodes"),
  step("memory-trend", "Working-set trend from Prometheus: classification and time to limit"),
  step("promql", "A workload-specific PromQL query evaluated now", {
    name: v.pipe(v.string(), v.minLength(1), v.maxLength(80)),
    query: described(
      v.pipe(v.string(), v.minLength(1), v.maxLength(2000), checkedBy(parseTemplate)),
      "PromQL; {{namespace}} and {{pods}} (a regex of the target's pod names) are substituted, escaped for the quoted string each sits in",
    ),
  }),
  step("count-resources", "How many objects the workload manages (operators): memory grows with what they watch", {
    resources: v.pipe(
      v.array(
        v.strictObject({
          apiVersion: v.pipe(
            v.string(),
            v.regex(
              /^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/,
              "an apiVersion such as v1 or serving.knative.dev/v1",
            ),
          ),
          kind: v.pipe(v.string(), v.regex(/^[A-Z][A-Za-z0-9]*$/, "a Kind such as ConfigMap or Service")),
          scope: v.optional(
            described(v.picklist(["namespace", "cluster"]), "Count in the target's namespace or in the whole cluster"),
            "namespace",
          ),
        }),
      ),
      v.minLength(1),
      v.maxLength(10),
    ),
    warnAbove: v.optional(
      described(v.pipe(v.number(), v.integer(), v.minValue(1)), "Say so in the verdict when a count is above this"),
    ),
  }),
  step(
    "runtime",
    "The working set split by the pods' own runtime metrics (Go heap and stacks, JVM heap and non-heap, Node.js heap and external); a goroutine count that grows with memory is called a leak",
  ),
  step("correlate", "The pod's own metrics whose trend follows its memory, with memory bytes per unit", {
    maxSeries: v.optional(
      described(
        int(10, 1000),
        "Compare at most this many of the pod's own series (one query); more is reported, not read",
      ),
      300,
    ),
    minR: v.optional(
      described(
        v.pipe(v.number(), v.minValue(0.5), v.maxValue(1)),
        "Report a metric only at or above this correlation",
      ),
      0.9,
    ),
  }),
  step(
    "heap-profile",
    "A Go heap profile of the pod that grew most, through the API server's pod proxy (needs get on pods/proxy): its top functions by in-use bytes",
    {
      port: v.optional(described(int(1, 65535), "The pod's pprof port"), 6060),
      path: v.optional(
        v.pipe(v.string(), v.regex(/^(\/[A-Za-z0-9._~-]+)+$/, "a plain URL path such as /debug/pprof/heap")),
        "/debug/pprof/heap",
      ),
      top: v.optional(described(int(1, 20), "How many functions to show"), 5),
    },
  ),
  step("next-steps", "Recommended next steps from all findings"),
]);

export const REMEDIATIONS = ["restart", "raise-limit", "scale-out", "set-request"] as const;
export const SIGNALS = ["oom-killed", "crash-loop"] as const;
export const TARGET_KINDS = ["pod", "deployment", "statefulset", "daemonset", "namespace", "selector"] as const;

export const runbookSchema = v.strictObject({
  $schema: v.optional(v.string()),
  id: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and '-'")),
  title: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  description: v.optional(v.pipe(v.string(), v.maxLength(1000))),
  match: v.strictObject({
    targets: described(
      v.pipe(v.array(v.picklist(TARGET_KINDS)), v.minLength(1)),
      "Target kinds this runbook diagnoses",
    ),
    alerts: v.optional(
      described(v.array(v.pipe(v.string(), v.minLength(1))), "Alertmanager alert names that run this runbook"),
      [],
    ),
    signals: v.optional(
      described(v.array(v.picklist(SIGNALS)), "Chosen over runbooks without signals when the pods show one of these"),
      [],
    ),
  }),
  thresholds: v.optional(
    v.strictObject({
      usageWarningPercent: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(100)), 80),
      maxLimitFactor: v.optional(
        described(
          v.pipe(v.number(), v.minValue(1.1), v.maxValue(10)),
          "Never propose raising a limit by more than this factor at once",
        ),
        2,
      ),
    }),
    {},
  ),
  steps: v.pipe(v.array(stepSchema), v.minLength(1), v.maxLength(20)),
  remediations: v.optional(v.array(v.picklist(REMEDIATIONS)), []),
});

export type Runbook = v.InferOutput<typeof runbookSchema>;
export type RunbookStep = Runbook["steps"][number];

/** One message per problem, each prefixed with the path inside the document ("steps.2.kind"). */
export function parseRunbook(doc: unknown): { ok: true; value: Runbook } | { ok: false; error: string[] } {
  const parsed = v.safeParse(runbookSchema, doc);
  return parsed.success ? { ok: true, value: parsed.output } : { ok: false, error: issueLines(parsed.issues) };
}

/** The schema's kinds are exactly the findings' kinds: a kind added to one and not the other fails to compile. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _schemaKindsMatch: Same<RunbookStep["kind"], StepKind> = true;
void _schemaKindsMatch;
