import { forecastText } from "./forecast.ts";
import { formatInstant } from "./duration.ts";
import { sectionData, type Section, type Severity, type TargetSummary, type Verdict } from "./findings.ts";
import { raisedAfter } from "./limit-history.ts";
import { formatBytes } from "./quantity.ts";

const pct = (x: number) => `${Math.round(x * 100)}%`;
const rank: Record<Severity, number> = { ok: 0, warning: 1, critical: 2 };

/** Reads the findings and says, first, what matters most. */
export function verdictOf(
  target: TargetSummary,
  sections: readonly Section[],
  now: number,
  windowSeconds: number,
): Verdict {
  const points: { severity: Severity; text: string }[] = [];
  // kills a later raise answered: said after what the trend makes of them
  const answered: { severity: Severity; text: string }[] = [];
  const oom = sectionData(sections, "oom-history");
  const trend = sectionData(sections, "memory-trend");
  if (oom) {
    const killed = oom.rows.filter((r) => r.oomKilled);
    const recent = killed.filter((r) => r.lastFinishedAt !== null && now - r.lastFinishedAt <= windowSeconds);
    for (const r of killed.slice(0, 3)) {
      const when = r.lastFinishedAt === null ? "" : ` at ${formatInstant(r.lastFinishedAt)}`;
      const history = trend?.rows.find((t) => t.pod === r.pod && t.container === r.container)?.limits ?? [];
      const raised = r.lastFinishedAt === null ? null : raisedAfter(history, r.lastFinishedAt);
      (raised ? answered : points).push({
        severity: recent.includes(r) && !raised ? "critical" : "warning",
        text: `${r.pod}/${r.container} was OOMKilled${when} (${r.restartCount} restarts${r.crashLoop ? ", CrashLoopBackOff" : ""})${raised ? `, before the limit was raised to ${raised.to === null ? "none" : formatBytes(raised.to)} at ${formatInstant(raised.at)}` : ""}`,
      });
    }
    if (killed.length > 3)
      points.push({ severity: "critical", text: `${killed.length - 3} more containers were OOMKilled` });
    const loopingNotOom = oom.rows.filter((r) => r.crashLoop && !r.oomKilled);
    if (loopingNotOom.length > 0) {
      points.push({
        severity: "warning",
        text: `${loopingNotOom.length} container(s) in CrashLoopBackOff for a reason other than OOM (${loopingNotOom[0]?.lastReason ?? "unknown"})`,
      });
    }
  }
  for (const row of trend?.rows ?? []) {
    const a = row.analysis;
    const who = `${row.pod}/${row.container}`;
    if (a.classification === "leak") {
      const ttl = a.timeToLimitSeconds === null ? "" : `, ${forecastText(a, false) ?? ""}`;
      points.push({
        severity: a.timeToLimitSeconds !== null && a.timeToLimitSeconds < 6 * 3600 ? "critical" : "warning",
        text: `memory leak suspected in ${who}: +${formatBytes(a.slopeBytesPerHour)}/h${ttl}`,
      });
    } else if (a.classification === "oom-cycle" && a.raisedSince) {
      // the cycle ran at the old limit: what is left is to watch that the new one holds
      const r = a.raisedSince;
      points.push({
        severity: "warning",
        text: `${who} was in an OOM-kill cycle (${a.oomKills} kills) until the limit was raised from ${r.from === null ? "none" : formatBytes(r.from)} to ${r.to === null ? "none" : formatBytes(r.to)} at ${formatInstant(r.at)}; no OOM kill since`,
      });
    } else if (a.classification === "oom-cycle") {
      points.push({ severity: "critical", text: `${who} is in an OOM-kill cycle (${a.evidence})` });
    } else if (a.classification === "limit-too-low") {
      points.push({ severity: "warning", text: `the limit of ${who} is too low: ${a.evidence}` });
    } else if (a.classification === "spike" && a.recovered === false) {
      points.push({ severity: "warning", text: `${who} spiked and has not come back down` });
    }
  }
  points.push(...answered);
  const usage = sectionData(sections, "usage-vs-limit");
  if (usage && usage.overThreshold > 0) {
    const top = usage.rows[0];
    const max = top?.ofLimit ?? 0;
    points.push({
      severity: max >= 0.95 ? "critical" : "warning",
      text: `${usage.overThreshold} of ${usage.totalContainers} containers above ${pct(usage.warnRatio)} of their limit (highest ${top?.pod}/${top?.container} at ${pct(max)})`,
    });
  }
  const nodes = sectionData(sections, "node-pressure");
  for (const n of nodes?.nodes.filter((x) => x.memoryPressure) ?? []) {
    points.push({
      severity: "warning",
      text: `node ${n.name} reports MemoryPressure: pods above their request are evicted first`,
    });
  }
  for (const c of sectionData(sections, "count-resources")?.counts ?? []) {
    if (c.warnAbove !== null && c.count > c.warnAbove) {
      points.push({
        severity: "warning",
        text: `${c.estimated ? "about " : ""}${c.count} ${c.kind} objects ${c.namespace ? `in ${c.namespace}` : "in the cluster"} (above ${c.warnAbove}): an operator's memory grows with what it watches`,
      });
    }
  }
  points.sort((a, b) => rank[b.severity] - rank[a.severity]);
  const severity = points[0]?.severity ?? "ok";
  const unavailable = sections.filter((s) => s.status === "unavailable").map((s) => s.title);
  const healthy = `no memory problem found in ${target.pods} pod${target.pods === 1 ? "" : "s"}`;
  const headline =
    points[0]?.text ??
    (unavailable.length > 0 ? `${healthy} (incomplete: ${unavailable.join(", ")} unavailable)` : healthy);
  return { severity, headline, points: points.map((p) => p.text) };
}
