import { classify, classLabel, type RssForecast, type TrendAnalysis } from "./classify.ts";
import { formatDuration } from "./duration.ts";
import type { LimitStep } from "./limit-history.ts";
import { formatBytes } from "./quantity.ts";
import { type Recommendation, recommend } from "./recommend.ts";
import type { Trace } from "./trace-file.ts";

/** What `memops analyze --format json` prints (schema in the README). */
export interface AnalysisOutput {
  classification: TrendAnalysis["classification"];
  plateau: boolean;
  recovered: boolean | null;
  confidence: number;
  evidence: string;
  slopeBytesPerHour: number;
  slopeRangeBytesPerHour: [number, number];
  pValue: number;
  r2: number;
  timeToLimitSeconds: number | null;
  timeToLimitRange: [number, number | null] | null;
  rss: RssForecast | null;
  recommendation: Recommendation;
  /** the limits and requests the file gave (limit_bytes, request_bytes), from each change on; empty without */
  limits: LimitStep[];
  requests: LimitStep[];
  window: { start: number; end: number; samples: number; segments: number; oomKills: number };
}

export interface AnalyzeOptions {
  limitBytes: number | null;
  requestBytes: number | null;
  /** the policy's bound on one raise */
  maxFactor: number;
  /** the analysis time; the last sample's by default */
  now?: number;
}

/** Classification, forecast and recommendation of one container's trace. */
export function analyzeTrace(trace: Trace, o: AnalyzeOptions): AnalysisOutput {
  const start = trace.workingSet[0]?.t ?? 0;
  const now = o.now ?? trace.workingSet[trace.workingSet.length - 1]?.t ?? 0;
  const a = classify({
    series: trace.workingSet,
    limitBytes: o.limitBytes,
    rss: trace.rss,
    restarts: trace.restarts,
    oomAt: trace.oomAt,
    ...(trace.limits?.length ? { limits: trace.limits } : {}),
    now,
  });
  // with the limit's history, the current limit is judged by the kills since it took effect
  const limitSince = trace.limits?.length ? trace.limits[trace.limits.length - 1]!.from : undefined;
  const rec = recommend({
    analysis: a,
    limitBytes: o.limitBytes,
    requestBytes: o.requestBytes,
    rss: trace.rss,
    oomKilled: trace.oomAt.some((t) => limitSince === undefined || t >= limitSince),
    ...(limitSince === undefined ? {} : { limitSince }),
    now,
    maxFactor: o.maxFactor,
  });
  return {
    classification: a.classification,
    plateau: a.plateau,
    recovered: a.recovered,
    confidence: round(a.confidence, 2),
    evidence: a.evidence,
    slopeBytesPerHour: Math.round(a.slopeBytesPerHour),
    slopeRangeBytesPerHour: [Math.round(a.slopeRange[0]), Math.round(a.slopeRange[1])],
    pValue: round(a.pValue, 6),
    r2: round(a.r2, 3),
    timeToLimitSeconds: a.timeToLimitSeconds === null ? null : Math.round(a.timeToLimitSeconds),
    timeToLimitRange: a.timeToLimitRange
      ? [Math.round(a.timeToLimitRange[0]), a.timeToLimitRange[1] === null ? null : Math.round(a.timeToLimitRange[1])]
      : null,
    rss: a.rss,
    recommendation: rec,
    limits: trace.limits ?? [],
    requests: trace.requests ?? [],
    window: { start, end: now, samples: trace.workingSet.length, segments: a.segments, oomKills: a.oomKills },
  };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** The same, for a person at a terminal. */
export function analysisText(r: AnalysisOutput, limitBytes: number | null): string {
  const cls = classLabel(r);
  const ttl =
    r.timeToLimitSeconds === null
      ? "none (no upward trend)"
      : `${formatDuration(r.timeToLimitSeconds)}${r.timeToLimitRange ? ` (range ${formatDuration(r.timeToLimitRange[0])} – ${r.timeToLimitRange[1] === null ? "never" : formatDuration(r.timeToLimitRange[1])})` : ""}`;
  const lines = [
    `classification  ${cls}, confidence ${r.confidence.toFixed(2)}`,
    `evidence        ${r.evidence}`,
    `trend           ${formatBytes(r.slopeBytesPerHour)}/h (95% ${formatBytes(r.slopeRangeBytesPerHour[0])}/h – ${formatBytes(r.slopeRangeBytesPerHour[1])}/h), p ${r.pValue}`,
    `time to limit   ${limitBytes === null ? "no limit set" : ttl}`,
  ];
  if (r.rss)
    lines.push(
      `on rss          ${Math.round(r.rss.cacheShare * 100)}% of the working set is cache; rss grows ${formatBytes(r.rss.slopeBytesPerHour)}/h, time to limit ${r.rss.timeToLimitSeconds === null ? "none" : formatDuration(r.rss.timeToLimitSeconds)}`,
    );
  lines.push(
    `recommendation  limit ${r.recommendation.limitBytes === null ? "—" : formatBytes(r.recommendation.limitBytes)}, request ${r.recommendation.requestBytes === null ? "—" : formatBytes(r.recommendation.requestBytes)}`,
  );
  lines.push(`                ${r.recommendation.reason}`);
  return lines.join("\n");
}
