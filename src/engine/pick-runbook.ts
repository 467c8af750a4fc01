import type { Pod } from "../core/model.ts";
import { err, ok, type Result } from "../core/result.ts";
import type { Runbook } from "../core/runbook.ts";
import type { TargetKind } from "../core/target.ts";

/** The signals a runbook can ask for, as the pods show them now. */
export function signalsOf(pods: readonly Pod[]): Set<string> {
  const signals = new Set<string>();
  for (const p of pods) {
    for (const s of p.statuses) {
      if (s.lastTerminated?.reason === "OOMKilled" || s.terminated?.reason === "OOMKilled") signals.add("oom-killed");
      if (s.waitingReason === "CrashLoopBackOff") signals.add("crash-loop");
    }
  }
  return signals;
}

/**
 * The runbook asked for by id, or else the most specific one for this kind of target: one whose
 * signals the pods show beats one without signals.
 */
export function pickRunbook(
  runbooks: readonly Runbook[],
  kind: TargetKind,
  pods: readonly Pod[],
  id?: string,
): Result<Runbook> {
  if (id) {
    const named = runbooks.find((r) => r.id === id);
    if (!named) return err(`no runbook "${id}" (available: ${runbooks.map((r) => r.id).join(", ") || "none"})`);
    return ok(named);
  }
  const targetKind = kind === "any" ? "pod" : kind;
  const candidates = runbooks.filter((r) => r.match.targets.includes(targetKind));
  const signals = signalsOf(pods);
  const specific =
    candidates.find((r) => r.match.signals.length > 0 && r.match.signals.every((s) => signals.has(s))) ??
    candidates.find((r) => r.match.signals.some((s) => signals.has(s)));
  const general = candidates.find((r) => r.match.signals.length === 0);
  const chosen = specific ?? general;
  return chosen ? ok(chosen) : err(`no runbook matches a ${targetKind} target`);
}
