import type { Logger } from "pino";
import { asSection, type Report, type Section, type StepKind, type TargetSummary } from "../core/findings.ts";
import type { ContainerLimitChange } from "../core/limit-history.ts";
import { nextSteps } from "../core/next-steps.ts";
import { err, ok, type Result } from "../core/result.ts";
import type { Runbook } from "../core/runbook.ts";
import { parseDuration } from "../core/duration.ts";
import type { Target, WorkloadKind } from "../core/target.ts";
import { verdictOf } from "../core/verdict.ts";
import { type Clock, type Cluster, type ContainerMemory, type MemoryMetrics, PortError } from "../ports.ts";
import { pickRunbook } from "./pick-runbook.ts";
import { type ResolvedTarget, resolveTarget } from "./resolve-target.ts";
import type { StepContext } from "./step-context.ts";
import { defaultTitle, runStep, type SectionStep } from "./steps/registry.ts";
import { describeError } from "./step-context.ts";

export interface DiagnosisDeps {
  cluster: Cluster;
  metrics: MemoryMetrics | null;
  clock: Clock;
  log: Logger;
  /** the limit changes memops executed on a workload (its store): the limit history when Prometheus has none */
  limitChanges?: (workload: {
    kind: WorkloadKind;
    name: string;
    namespace: string;
  }) => Promise<readonly ContainerLimitChange[]>;
}

export interface DiagnoseRequest {
  target: Target;
  windowSeconds: number;
  runbookId?: string;
  /** the remediation policy's limit ceiling for the namespace: the next steps never propose above it */
  ceilingBytes?: number | null;
}

export type Progress =
  | { phase: "started"; target: ResolvedTarget; runbook: Runbook; total: number }
  | { phase: "step"; kind: StepKind; title: string; status: Section["status"]; done: number; total: number };

/** Finding the pods must not hang a diagnosis: the person is waiting for the parent message. */
export const RESOLVE_TIMEOUT_MS = 15_000;

const NEXT_STEPS_TITLE = "Next steps";
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PortError(what, "timeout", `timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** One step with its own timeout: its section, ok with its findings or unavailable with why. */
async function runOne(ctx: StepContext, step: SectionStep, clock: Clock, log: Logger): Promise<Section> {
  const t0 = clock.now();
  const title = step.title ?? defaultTitle(step);
  const timeout = parseDuration(step.timeout);
  const timeoutMs = (timeout.ok ? timeout.value : 10) * 1000;
  const millis = () => Math.round((clock.now() - t0) * 1000);
  try {
    const data = await withTimeout(runStep(ctx, step), timeoutMs, step.kind);
    return asSection({ kind: step.kind, title, status: "ok", data, millis: millis() });
  } catch (e) {
    if (!(e instanceof PortError)) log.error({ err: e, step: step.kind }, "diagnosis step failed unexpectedly");
    else log.warn({ step: step.kind, code: e.code, reason: e.message }, "diagnosis step unavailable");
    return asSection({ kind: step.kind, title, status: "unavailable", note: describeError(e), millis: millis() });
  }
}

/** The target's pods, within RESOLVE_TIMEOUT_MS: a hung API server is an answer, not silence. */
async function resolveInTime(cluster: Cluster, req: DiagnoseRequest): Promise<Result<ResolvedTarget>> {
  try {
    return await withTimeout(resolveTarget(cluster, req.target), RESOLVE_TIMEOUT_MS, "kubernetes");
  } catch (e) {
    if (e instanceof PortError && e.code === "timeout")
      return err(`the Kubernetes API did not answer within ${RESOLVE_TIMEOUT_MS / 1000}s while looking up the target`);
    throw e;
  }
}

/** What the steps share: the workload's memory (one query) and its executed limit changes, each fetched once if asked. */
function stepContext(deps: DiagnosisDeps, target: ResolvedTarget, runbook: Runbook, req: DiagnoseRequest, now: number) {
  let memory: Promise<ContainerMemory[]> | undefined;
  let changes: Promise<readonly ContainerLimitChange[]> | undefined;
  const ctx: StepContext = {
    cluster: deps.cluster,
    metrics: deps.metrics,
    target,
    runbook,
    now,
    windowSeconds: req.windowSeconds,
    limitChanges: () =>
      (changes ??=
        target.workload && deps.limitChanges
          ? deps.limitChanges({ ...target.workload, namespace: target.namespace })
          : Promise.resolve([])),
    memory: () =>
      (memory ??= deps.metrics
        ? deps.metrics.containerMemory({
            namespace: target.namespace,
            podPattern: target.podPattern,
            start: now - req.windowSeconds,
            end: now,
            stepSeconds: req.windowSeconds <= 2 * 3600 ? 60 : 300,
          })
        : Promise.reject(new PortError("prometheus", "unavailable", "Prometheus is not configured"))),
  };
  return ctx;
}

const summaryOf = (target: ResolvedTarget): TargetSummary => ({
  kind: target.kind,
  name: target.name,
  namespace: target.namespace,
  ownerChain: target.ownerChain,
  pods: target.pods.length,
  containers: target.pods.reduce((n, p) => n + p.containers.length, 0),
  workload: target.workload,
});

/** Resolves the target, runs the runbook's steps in parallel (each with its own timeout) and builds the report. */
export async function diagnose(
  deps: DiagnosisDeps,
  runbooks: readonly Runbook[],
  req: DiagnoseRequest,
  onProgress: (p: Progress) => void = () => {},
): Promise<Result<Report>> {
  const startedAt = deps.clock.now();
  const resolved = await resolveInTime(deps.cluster, req);
  if (!resolved.ok) return resolved;
  const target = resolved.value;
  const picked = pickRunbook(runbooks, req.target.kind, target.pods, req.runbookId);
  if (!picked.ok) return err(picked.error);
  const runbook = picked.value;
  const log = deps.log.child({
    runbook: runbook.id,
    target: `${target.kind}/${target.name}`,
    namespace: target.namespace,
  });
  const ctx = stepContext(deps, target, runbook, req, startedAt);
  const steps = runbook.steps.filter((s): s is SectionStep => s.kind !== "next-steps");
  const total = runbook.steps.length;
  onProgress({ phase: "started", target, runbook, total });
  let done = 0;
  const sections = await Promise.all(
    steps.map(async (step): Promise<Section> => {
      const section = await runOne(ctx, step, deps.clock, log);
      onProgress({ phase: "step", kind: step.kind, title: section.title, status: section.status, done: ++done, total });
      return section;
    }),
  );
  const summary = summaryOf(target);
  const wantsNextSteps = runbook.steps.some((s) => s.kind === "next-steps");
  const report: Report = {
    runbook: { id: runbook.id, title: runbook.title },
    target: summary,
    windowSeconds: req.windowSeconds,
    startedAt,
    finishedAt: deps.clock.now(),
    sections,
    verdict: verdictOf(summary, sections, startedAt, req.windowSeconds),
    nextSteps: wantsNextSteps
      ? nextSteps(
          sections,
          { maxFactor: runbook.thresholds.maxLimitFactor, ceilingBytes: req.ceilingBytes ?? null },
          startedAt,
        )
      : [],
  };
  if (wantsNextSteps)
    onProgress({ phase: "step", kind: "next-steps", title: NEXT_STEPS_TITLE, status: "ok", done: ++done, total });
  log.info(
    { severity: report.verdict.severity, millis: Math.round((report.finishedAt - startedAt) * 1000) },
    "diagnosis finished",
  );
  return ok(report);
}
