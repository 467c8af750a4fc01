/** The classification's vocabulary: its input, its output, the classes and how a person reads them. */
import type { LimitChange, LimitStep } from "../limit-history.ts";
import type { Sample } from "../model.ts";

export type MemoryClass = "leak" | "oom-cycle" | "spike" | "limit-too-low" | "stable";
export const MEMORY_CLASSES: readonly MemoryClass[] = ["leak", "oom-cycle", "spike", "limit-too-low", "stable"];

/** The class as a person reads it: a plateau is said not to be a leak, a spike says whether it recovered. */
export function classLabel(a: { classification: MemoryClass; plateau: boolean; recovered: boolean | null }): string {
  if (a.plateau) return "stable (warm-up then plateau, not a leak)";
  return a.classification === "spike" ? `spike (${a.recovered ? "recovered" : "not recovered"})` : a.classification;
}

export interface TrendInput {
  /** working-set samples, Unix seconds */
  series: readonly Sample[];
  /** the limit now */
  limitBytes: number | null;
  /** the limit over the window, when known: each moment is judged by the limit in effect then */
  limits?: readonly LimitStep[];
  /** rss samples, if known: forecast on them too when file cache is a large share of the working set */
  rss?: readonly Sample[];
  /** restart counter samples, if known */
  restarts?: readonly Sample[];
  /** when OOM kills happened, if known */
  oomAt?: readonly number[];
  /** OOM kills known (from the pod status) to have happened in the window, when their times are not */
  oomKills?: number;
  now: number;
}

export interface RssForecast {
  /** median share of the working set that is not rss (file cache, tmpfs, kernel) */
  cacheShare: number;
  slopeBytesPerHour: number;
  timeToLimitSeconds: number | null;
  timeToLimitRange: [number, number | null] | null;
}

export interface TrendAnalysis {
  classification: MemoryClass;
  /** warm-up followed by a plateau: explicitly not a leak */
  plateau: boolean;
  /** for spikes: whether memory came back down */
  recovered: boolean | null;
  /** 0–1 */
  confidence: number;
  /** why, in words a person can check against the chart */
  evidence: string;
  slopeBytesPerHour: number;
  /** the slope's 95% confidence interval (Theil–Sen / Sen), bytes per hour */
  slopeRange: [number, number];
  /** Mann–Kendall p-value with the Hamed–Rao correction, on the longest run between restarts */
  pValue: number;
  r2: number;
  currentBytes: number;
  peakBytes: number;
  timeToLimitSeconds: number | null;
  /** [soonest, latest]; latest null when the slope's interval reaches zero */
  timeToLimitRange: [number, number | null] | null;
  /** the same forecast on rss, when file cache is a large share of the working set */
  rss: RssForecast | null;
  /** runs between restarts in the window, and how many ended in an OOM kill */
  segments: number;
  /** how many of the last `resampled` points belong to the current run */
  currentRunPoints: number;
  oomKills: number;
  /** for an OOM cycle: the limit raise after its last kill (the cycle ran at the old limit; none since) */
  raisedSince: LimitChange | null;
  /** start-to-start lengths of the completed runs between restarts in the window, seconds (the first run's from the window's start) */
  runLengths: number[];
  /** when the OOM kills the analysis found happened (end of the run they ended), Unix seconds: the chart's markers */
  oomKillTimes: number[];
  /** the resampled series the verdict was computed on (5-minute maxima, 1-minute for windows ≤ 2 h) */
  resampled: readonly Sample[];
  points: number;
}
