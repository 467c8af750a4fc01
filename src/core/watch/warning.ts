/**
 * Whether the watch speaks up about a workload, from the trend rows of its diagnosis: a warning when a
 * container will reach its limit within the horizon (or already sits at a limit too low), with enough
 * confidence and above the floors; an incident when OOM kills are already under way; else quiet, with
 * the reason (kept in the audit log, so "why did it not warn?" has an answer).
 */
import type { TrendRow } from "../findings.ts";
import { formatDuration } from "../duration.ts";
import { formatBytes } from "../quantity.ts";
import { shortWorkload } from "../target.ts";
import type { WatchConfig } from "./watch-config.ts";

/** "limit-too-low" without a forecast warns from this share of the limit on: the next burst is the kill. */
const AT_LIMIT = 0.9;

export type WatchVerdict =
  | { kind: "warning"; row: TrendRow; text: string; seconds: number | null }
  | { kind: "incident"; row: TrendRow; text: string }
  | { kind: "quiet"; reason: string };

type Floors = Pick<WatchConfig, "horizon" | "minShare" | "minGrowthPerHour" | "minConfidence">;

const shareOf = (r: TrendRow): number | null => {
  const last = r.analysis.resampled[r.analysis.resampled.length - 1]?.v ?? r.series[r.series.length - 1]?.v;
  return r.limitBytes && last !== undefined ? last / r.limitBytes : null;
};

const who = (r: TrendRow) => `${shortWorkload(r.workload)} (container ${r.container})`;

/** One row's verdict. */
function judgeRow(r: TrendRow, f: Floors): WatchVerdict {
  const a = r.analysis;
  const share = shareOf(r);
  if (r.limitBytes === null || share === null) return { kind: "quiet", reason: `${who(r)} has no memory limit` };
  const limit = formatBytes(r.limitBytes);
  if (a.classification === "oom-cycle" && !a.raisedSince)
    return {
      kind: "incident",
      row: r,
      text: `${who(r)} is being OOM-killed at its ${limit} limit (${a.oomKills} kills in the window): an incident, not a warning`,
    };
  if (a.confidence < f.minConfidence)
    return { kind: "quiet", reason: `${who(r)}: ${a.classification} with confidence ${a.confidence.toFixed(2)}` };
  if (share < f.minShare)
    return { kind: "quiet", reason: `${who(r)} is at ${Math.round(share * 100)}% of its limit, under the floor` };
  if (a.classification === "limit-too-low" && a.timeToLimitSeconds === null && share >= AT_LIMIT)
    return {
      kind: "warning",
      row: r,
      seconds: null,
      text: `${who(r)} sits at ${Math.round(share * 100)}% of its ${limit} limit with no room left: the next burst is an OOM kill`,
    };
  if (a.timeToLimitSeconds === null || a.timeToLimitSeconds > f.horizon)
    return { kind: "quiet", reason: `${who(r)} does not reach its limit within ${formatDuration(f.horizon)}` };
  if (a.classification !== "limit-too-low" && a.slopeBytesPerHour < f.minGrowthPerHour)
    return {
      kind: "quiet",
      reason: `${who(r)} grows ${formatBytes(a.slopeBytesPerHour)}/h, under the floor of ${formatBytes(f.minGrowthPerHour)}/h`,
    };
  const range = a.timeToLimitRange;
  const span = range
    ? ` (${range[0] < 60 ? "now" : formatDuration(range[0])}–${range[1] === null ? "∞" : formatDuration(range[1])})`
    : "";
  return {
    kind: "warning",
    row: r,
    seconds: a.timeToLimitSeconds,
    text: `${who(r)} will reach its ${limit} limit in ~${formatDuration(a.timeToLimitSeconds)}${span}${a.classification === "leak" ? ": it looks like a leak" : ""}`,
  };
}

/** The workload's verdict: an incident before any warning, then the soonest warning, else the first reason to stay quiet. */
export function judgeWorkload(rows: readonly TrendRow[], f: Floors): WatchVerdict {
  const verdicts = rows.map((r) => judgeRow(r, f));
  const incident = verdicts.find((v) => v.kind === "incident");
  if (incident) return incident;
  const warnings = verdicts.filter((v): v is Extract<WatchVerdict, { kind: "warning" }> => v.kind === "warning");
  if (warnings.length > 0) return warnings.reduce((a, b) => ((b.seconds ?? 0) < (a.seconds ?? 0) ? b : a));
  return verdicts[0] ?? { kind: "quiet", reason: "no memory series for it" };
}
