/** Limit too low: the current run sits at 90% of its limit or more, without a growing trend. */
import { formatBytes } from "../quantity.ts";
import { quantile } from "../stats.ts";
import { clamp01, pct } from "./fit.ts";
import type { Judged } from "./judged.ts";
import type { TrendAnalysis } from "./types.ts";

/** p99 of the current run at or above this share of the limit */
const AT_LIMIT = 0.9;
const BASE_CONFIDENCE = 0.6;
/** confidence grows with how far above AT_LIMIT the p99 sits: +0.4 at 100% */
const PER_SHARE_ABOVE = 4;

export function limitTooLow(j: Judged): TrendAnalysis | null {
  const limit = j.limit;
  if (!limit || (j.growing && j.stillGrowing)) return null;
  const p99 = quantile(
    j.current.map((p) => p.v),
    0.99,
  );
  if (p99 < AT_LIMIT * limit) return null;
  return {
    ...j.common,
    classification: "limit-too-low",
    confidence: clamp01(BASE_CONFIDENCE + (p99 / limit - AT_LIMIT) * PER_SHARE_ABOVE),
    evidence: `sits at ${pct(p99 / limit)} of its ${formatBytes(limit)} limit (p99 ${formatBytes(p99)}) without a growing trend${j.oomEnds === 1 ? "; OOM-killed once in the window" : ""}`,
  };
}
