import { formatInstant } from "./duration.ts";
import { sectionData, type Section, type Severity, type TargetSummary, type Verdict } from "./findings.ts";
import { forecastText } from "./forecast.ts";
import { raisedAfter } from "./limit-history.ts";
import { formatBytes, formatLimit } from "./quantity.ts";

type Point = { severity: Severity; text: string };

const pct = (x: number) => `${Math.round(x * 100)}%`;
const rank: Record<Severity, number> = { ok: 0, warning: 1, critical: 2 };
/** at most this many OOM-killed containers are named; the rest are counted */
const NAMED_KILLS = 3;

/** OOM kills (critical while recent, unless a raise answered them) and crash loops for other reasons. */
function oomPoints(
  sections: readonly Section[],
  now: number,
  windowSeconds: number,
): { now: Point[]; answered: Point[] } {
  const oom = sectionData(sections, "oom-history");
  const trend = sectionData(sections, "memory-trend");
  const out = { now: [] as Point[], answered: [] as Point[] };
  if (!oom) return out;
  const killed = oom.rows.filter((r) => r.oomKilled);
  for (const r of killed.slice(0, NAMED_KILLS)) {
    const recent = r.lastFinishedAt !== null && now - r.lastFinishedAt <= windowSeconds;
    const when = r.lastFinishedAt === null ? "" : ` at ${formatInstant(r.lastFinishedAt)}`;
    const history = trend?.rows.find((t) => t.pod === r.pod && t.container === r.container)?.limits ?? [];
    const raised = r.lastFinishedAt === null ? null : raisedAfter(history, r.lastFinishedAt);
    (raised ? out.answered : out.now).push({
      severity: recent && !raised ? "critical" : "warning",
      text: `${r.pod}/${r.container} was OOMKilled${when} (${r.restartCount} restarts${r.crashLoop ? ", CrashLoopBackOff" : ""})${raised ? `, before the limit was raised to ${formatLimit(raised.to)} at ${formatInstant(raised.at)}` : ""}`,
    });
  }
  if (killed.length > NAMED_KILLS)
    out.now.push({ severity: "critical", text: `${killed.length - NAMED_KILLS} more containers were OOMKilled` });
  const loopingNotOom = oom.rows.filter((r) => r.crashLoop && !r.oomKilled);
  if (loopingNotOom.length > 0)
    out.now.push({
      severity: "warning",
      text: `${loopingNotOom.length} container(s) in CrashLoopBackOff for a reason other than OOM (${loopingNotOom[0]?.lastReason ?? "unknown"})`,
    });
  return out;
}

/** What the trend says of each container: a leak (critical within 6 hours of the limit), an OOM cycle, a tight limit. */
function trendPoints(sections: readonly Section[]): Point[] {
  return (sectionData(sections, "memory-trend")?.rows ?? []).flatMap((row): Point[] => {
    const a = row.analysis;
    const who = `${row.pod}/${row.container}`;
    switch (a.classification) {
      case "leak": {
        const ttl = a.timeToLimitSeconds === null ? "" : `, ${forecastText(a, false) ?? ""}`;
        const soon = a.timeToLimitSeconds !== null && a.timeToLimitSeconds < 6 * 3600;
        return [
          {
            severity: soon ? "critical" : "warning",
            text: `memory leak suspected in ${who}: +${formatBytes(a.slopeBytesPerHour)}/h${ttl}`,
          },
        ];
      }
      case "oom-cycle": {
        // the cycle ran at the old limit: what is left is to watch that the new one holds
        const r = a.raisedSince;
        return r
          ? [
              {
                severity: "warning",
                text: `${who} was in an OOM-kill cycle (${a.oomKills} kills) until the limit was raised from ${formatLimit(r.from)} to ${formatLimit(r.to)} at ${formatInstant(r.at)}; no OOM kill since`,
              },
            ]
          : [{ severity: "critical", text: `${who} is in an OOM-kill cycle (${a.evidence})` }];
      }
      case "limit-too-low":
        return [{ severity: "warning", text: `the limit of ${who} is too low: ${a.evidence}` }];
      case "spike":
        return a.recovered === false ? [{ severity: "warning", text: `${who} spiked and has not come back down` }] : [];
      case "stable":
        return [];
    }
  });
}

/** Usage above the runbook's threshold, memory pressure on nodes, and operators watching too many objects. */
function pressurePoints(sections: readonly Section[]): Point[] {
  const points: Point[] = [];
  const usage = sectionData(sections, "usage-vs-limit");
  if (usage && usage.overThreshold > 0) {
    const top = usage.rows[0];
    const max = top?.ofLimit ?? 0;
    points.push({
      severity: max >= 0.95 ? "critical" : "warning",
      text: `${usage.overThreshold} of ${usage.totalContainers} containers above ${pct(usage.warnRatio)} of their limit (highest ${top?.pod}/${top?.container} at ${pct(max)})`,
    });
  }
  for (const n of sectionData(sections, "node-pressure")?.nodes.filter((x) => x.memoryPressure) ?? [])
    points.push({
      severity: "warning",
      text: `node ${n.name} reports MemoryPressure: pods above their request are evicted first`,
    });
  for (const c of sectionData(sections, "count-resources")?.counts ?? [])
    if (c.warnAbove !== null && c.count > c.warnAbove)
      points.push({
        severity: "warning",
        text: `${c.estimated ? "about " : ""}${c.count} ${c.kind} objects ${c.namespace ? `in ${c.namespace}` : "in the cluster"} (above ${c.warnAbove}): an operator's memory grows with what it watches`,
      });
  return points;
}

/** Reads the findings and says, first, what matters most. */
export function verdictOf(
  target: TargetSummary,
  sections: readonly Section[],
  now: number,
  windowSeconds: number,
): Verdict {
  const oom = oomPoints(sections, now, windowSeconds);
  // kills a later raise answered are said after what the trend makes of them
  const points = [...oom.now, ...trendPoints(sections), ...oom.answered, ...pressurePoints(sections)];
  points.sort((a, b) => rank[b.severity] - rank[a.severity]);
  const severity = points[0]?.severity ?? "ok";
  const unavailable = sections.filter((s) => s.status === "unavailable").map((s) => s.title);
  const healthy = `no memory problem found in ${target.pods} pod${target.pods === 1 ? "" : "s"}`;
  const headline =
    points[0]?.text ??
    (unavailable.length > 0 ? `${healthy} (incomplete: ${unavailable.join(", ")} unavailable)` : healthy);
  return { severity, headline, points: points.map((p) => p.text) };
}
