/**
 * The classification of one container's memory over the window (../shared/reference/memory-analysis.md):
 * segment at restarts, resample to 5-minute maxima, Theil–Sen + Hamed–Rao Mann–Kendall per run, then
 * OOM cycle → limit too low → leak → spike → stable (with plateau), first match wins. One file per class
 * under classify/, each with its own confidence constants.
 */
import { judge } from "./classify/judged.ts";
import { leak } from "./classify/leak.ts";
import { limitTooLow } from "./classify/limit-too-low.ts";
import { oomCycle } from "./classify/oom-cycle.ts";
import { spike } from "./classify/spike.ts";
import { stable } from "./classify/stable.ts";
import type { TrendAnalysis, TrendInput } from "./classify/types.ts";

export * from "./classify/types.ts";

/** With fewer resampled points than this, no trend is told. */
const TOO_LITTLE_CONFIDENCE = 0.1;

export function classify(input: TrendInput): TrendAnalysis {
  const j = judge(input);
  if ("tooLittle" in j)
    return {
      ...j.common,
      classification: "stable",
      confidence: TOO_LITTLE_CONFIDENCE,
      evidence: `only ${j.fine} samples in the window: too little data to tell a trend`,
    };
  return oomCycle(j) ?? limitTooLow(j) ?? leak(j) ?? spike(j) ?? stable(j);
}
