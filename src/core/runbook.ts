import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { compileLinePattern } from "./line-pattern.ts";
import { parseTemplate } from "./promql-template.ts";
import type { StepKind } from "./findings.ts";

const duration = z.string().refine((s) => parseDuration(s).ok, { message: "not a duration (examples: 5s, 30s, 2m)" });
const linePattern = z
  .string()
  .max(500)
  .superRefine((s, ctx) => {
    const c = compileLinePattern(s);
    if (!c.ok) ctx.addIssue({ code: "custom", message: c.error });
  });
const common = {
  title: z.string().min(1).max(80).optional().describe("Heading of this step's section in the report"),
  timeout: duration.default("10s").describe("How long the step may take before its section is marked unavailable"),
};

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

export const stepSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("usage-vs-limit"), ...common }).describe("Usage vs request and limit per container"),
  z
    .strictObject({ kind: z.literal("oom-history"), ...common })
    .describe("OOMKilled terminations, restarts, CrashLoopBackOff and OOM events"),
  z
    .strictObject({
      kind: z.literal("logs-grep"),
      ...common,
      maxLines: z
        .number()
        .int()
        .min(1)
        .max(50)
        .default(15)
        .describe("At most this many matching lines per container log"),
      tailLines: z
        .number()
        .int()
        .min(10)
        .max(10_000)
        .default(2000)
        .describe("How many lines to read from the end of each log"),
      pattern: linePattern
        .optional()
        .describe(
          "Case-insensitive RE2 regular expression (linear time; no backreferences or lookaround); default: memory/oom/heap/gc/allocation words",
        ),
    })
    .describe("Memory-related log lines of the killed container, current and previous"),
  z
    .strictObject({ kind: z.literal("node-pressure"), ...common })
    .describe("MemoryPressure and allocatable vs requests of the pods' nodes"),
  z
    .strictObject({ kind: z.literal("memory-trend"), ...common })
    .describe("Working-set trend from Prometheus: classification and time to limit"),
  z
    .strictObject({
      kind: z.literal("promql"),
      ...common,
      name: z.string().min(1).max(80),
      query: z
        .string()
        .min(1)
        .max(2000)
        .superRefine((q, ctx) => {
          const t = parseTemplate(q);
          if (!t.ok) ctx.addIssue({ code: "custom", message: t.error });
        })
        .describe(
          "PromQL; {{namespace}} and {{pods}} (a regex of the target's pod names) are substituted, escaped for the quoted string each sits in",
        ),
    })
    .describe("A workload-specific PromQL query evaluated now"),
  z
    .strictObject({
      kind: z.literal("count-resources"),
      ...common,
      resources: z
        .array(
          z.strictObject({
            apiVersion: z
              .string()
              .regex(
                /^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/,
                "an apiVersion such as v1 or serving.knative.dev/v1",
              ),
            kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, "a Kind such as ConfigMap or Service"),
            scope: z
              .enum(["namespace", "cluster"])
              .default("namespace")
              .describe("Count in the target's namespace or in the whole cluster"),
          }),
        )
        .min(1)
        .max(10),
      warnAbove: z.number().int().min(1).optional().describe("Say so in the verdict when a count is above this"),
    })
    .describe("How many objects the workload manages (operators): memory grows with what they watch"),
  z
    .strictObject({ kind: z.literal("runtime"), ...common })
    .describe(
      "The working set split by the pods' own runtime metrics (Go heap and stacks, JVM heap and non-heap, Node.js heap and external); a goroutine count that grows with memory is called a leak",
    ),
  z
    .strictObject({
      kind: z.literal("correlate"),
      ...common,
      maxSeries: z
        .number()
        .int()
        .min(10)
        .max(1000)
        .default(300)
        .describe("Compare at most this many of the pod's own series (one query); more is reported, not read"),
      minR: z.number().min(0.5).max(1).default(0.9).describe("Report a metric only at or above this correlation"),
    })
    .describe("The pod's own metrics whose trend follows its memory, with memory bytes per unit"),
  z
    .strictObject({
      kind: z.literal("heap-profile"),
      ...common,
      port: z.number().int().min(1).max(65535).default(6060).describe("The pod's pprof port"),
      path: z
        .string()
        .regex(/^(\/[A-Za-z0-9._~-]+)+$/, "a plain URL path such as /debug/pprof/heap")
        .default("/debug/pprof/heap"),
      top: z.number().int().min(1).max(20).default(5).describe("How many functions to show"),
    })
    .describe(
      "A Go heap profile of the pod that grew most, through the API server's pod proxy (needs get on pods/proxy): its top functions by in-use bytes",
    ),
  z.strictObject({ kind: z.literal("next-steps"), ...common }).describe("Recommended next steps from all findings"),
]);

export const REMEDIATIONS = ["restart", "raise-limit", "scale-out", "set-request"] as const;
export const SIGNALS = ["oom-killed", "crash-loop"] as const;
export const TARGET_KINDS = ["pod", "deployment", "statefulset", "daemonset", "namespace", "selector"] as const;

export const runbookSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and '-'"),
  title: z.string().min(1).max(100),
  description: z.string().max(1000).optional(),
  match: z.strictObject({
    targets: z.array(z.enum(TARGET_KINDS)).min(1).describe("Target kinds this runbook diagnoses"),
    alerts: z.array(z.string().min(1)).default([]).describe("Alertmanager alert names that run this runbook"),
    signals: z
      .array(z.enum(SIGNALS))
      .default([])
      .describe("Chosen over runbooks without signals when the pods show one of these"),
  }),
  thresholds: z
    .strictObject({
      usageWarningPercent: z.number().min(1).max(100).default(80),
      maxLimitFactor: z
        .number()
        .min(1.1)
        .max(10)
        .default(2)
        .describe("Never propose raising a limit by more than this factor at once"),
    })
    .default({ usageWarningPercent: 80, maxLimitFactor: 2 }),
  steps: z.array(stepSchema).min(1).max(20),
  remediations: z.array(z.enum(REMEDIATIONS)).default([]),
});

export type Runbook = z.output<typeof runbookSchema>;
export type RunbookStep = Runbook["steps"][number];

/** One message per problem, each prefixed with the path inside the document ("steps.2.kind"). */
export function parseRunbook(doc: unknown): { ok: true; value: Runbook } | { ok: false; error: string[] } {
  const parsed = runbookSchema.safeParse(doc);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    error: parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`),
  };
}

export function runbookJsonSchema(): unknown {
  return z.toJSONSchema(runbookSchema, { io: "input" });
}

/** The schema's kinds are exactly the findings' kinds: a kind added to one and not the other fails to compile. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _schemaKindsMatch: Same<RunbookStep["kind"], StepKind> = true;
void _schemaKindsMatch;
