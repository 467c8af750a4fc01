import type { LogExcerpt, LogFindings } from "../../core/findings.ts";
import { grepLines, MEMORY_LOG_PATTERN } from "../../core/log-match.ts";
import { redactSecrets } from "../../core/redact.ts";
import { compileLinePattern } from "../../core/line-pattern.ts";
import { PortError } from "../../ports.ts";
import type { RunbookStep } from "../../core/runbook.ts";
import { describeError, type StepContext } from "../step-context.ts";

const MAX_CONTAINERS = 3;

/** The containers whose logs tell the story: the ones that were OOM-killed (not their siblings). */
function pick(ctx: StepContext): { pod: string; container: string; restarted: boolean; why: string }[] {
  const killed = ctx.target.pods.flatMap((p) =>
    p.statuses
      .filter((s) => s.lastTerminated?.reason === "OOMKilled" || s.terminated?.reason === "OOMKilled")
      .map((s) => ({
        pod: p.name,
        container: s.name,
        restarted: s.restartCount > 0,
        at: s.lastTerminated?.finishedAt ?? s.terminated?.finishedAt ?? 0,
      })),
  );
  if (killed.length > 0) {
    return killed
      .sort((a, b) => b.at - a.at)
      .slice(0, MAX_CONTAINERS)
      .map((k) => ({ ...k, why: "the container that was OOM-killed" }));
  }
  const restarted = ctx.target.pods.flatMap((p) =>
    p.statuses
      .filter((s) => s.restartCount > 0)
      .map((s) => ({ pod: p.name, container: s.name, restarted: true, n: s.restartCount })),
  );
  if (restarted.length > 0) {
    return restarted
      .sort((a, b) => b.n - a.n)
      .slice(0, 1)
      .map((k) => ({ ...k, why: "the container with the most restarts" }));
  }
  const first = ctx.target.pods.find((p) => p.phase === "Running") ?? ctx.target.pods[0];
  const c = first?.containers[0];
  return first && c
    ? [
        {
          pod: first.name,
          container: c.name,
          restarted: false,
          why: "the first running container: none was killed or restarted",
        },
      ]
    : [];
}

export async function logsGrep(
  ctx: StepContext,
  step: Extract<RunbookStep, { kind: "logs-grep" }>,
): Promise<LogFindings> {
  const compiled = step.pattern ? compileLinePattern(step.pattern) : null;
  if (compiled && !compiled.ok)
    throw new PortError("kubernetes", "invalid", `the runbook's pattern: ${compiled.error}`);
  const pattern = compiled?.value ?? MEMORY_LOG_PATTERN;
  const picks = pick(ctx);
  const reads = picks.flatMap((p) => [...(p.restarted ? [{ ...p, previous: true }] : []), { ...p, previous: false }]);
  const excerpts = await Promise.all(
    reads.map(async (r): Promise<LogExcerpt> => {
      try {
        const text = await ctx.cluster.readLog(ctx.target.namespace, r.pod, r.container, {
          previous: r.previous,
          tailLines: step.tailLines,
        });
        // the whole text first: a key block spans lines, and a line is truncated only after
        const { lines, matched } = grepLines(redactSecrets(text), pattern, step.maxLines);
        return { pod: r.pod, container: r.container, previous: r.previous, lines, matched };
      } catch (e) {
        return {
          pod: r.pod,
          container: r.container,
          previous: r.previous,
          lines: [],
          matched: 0,
          note: `log unavailable: ${describeError(e)}`,
        };
      }
    }),
  );
  return { why: picks[0]?.why ?? "no containers", excerpts };
}
