/** OOM cycle: at least two runs in the window ended in an OOM kill after climbing to the limit. */
import { formatDuration, formatInstant } from "../duration.ts";
import { cycleForecast } from "../forecast.ts";
import { raisedAfter } from "../limit-history.ts";
import { formatBytes } from "../quantity.ts";
import { median, quantile } from "../stats.ts";
import { clamp01 } from "./fit.ts";
import { forecastFields, type Judged } from "./judged.ts";
import type { TrendAnalysis } from "./types.ts";

const BASE_CONFIDENCE = 0.55;
/** each kill in the window adds this much */
const PER_KILL = 0.1;
/** cycles of similar length (p90 within twice p10) add this much */
const REGULAR = 0.1;

const limitText = (bytes: number | null) => (bytes === null ? "no" : formatBytes(bytes));

export function oomCycle(j: Judged): TrendAnalysis | null {
  if (j.oomEnds < 2) return null;
  const { input, current, common } = j;
  const lengths = common.runLengths;
  const age = input.now - (current[0]?.t ?? input.now);
  const typical = median(lengths);
  const regular = quantile(lengths, 0.9) <= 2 * quantile(lengths, 0.1);
  const lastKill = Math.max(...common.oomKillTimes);
  // Raised since the last kill: the cycle ran at the old limit, and its rhythm says nothing about the new one.
  const raised = input.limits ? raisedAfter(input.limits, lastKill) : null;
  const cycle = `a cycle lasted about ${formatDuration(typical)}${regular ? "" : " (irregular)"}`;
  return {
    ...common,
    classification: "oom-cycle",
    raisedSince: raised,
    confidence: clamp01(BASE_CONFIDENCE + PER_KILL * j.oomEnds + (regular ? REGULAR : 0)),
    evidence: raised
      ? `${j.oomEnds} OOM kills in the window after climbing to the ${limitText(raised.from)} limit, ${cycle}; the limit was raised to ${limitText(raised.to)} at ${formatInstant(raised.at)}, no OOM kill since`
      : `${j.oomEnds} OOM kills in the window after climbing to the limit; ${cycle.replace("lasted", "lasts")}, the current one is ${formatDuration(age)} old`,
    ...forecastFields(raised ? null : cycleForecast(lengths, age)),
  };
}
