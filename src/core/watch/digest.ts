/**
 * The rightsizing digest: for every workload container of a channel's namespaces, its request and limit
 * against memops's recommendation from a week of history (the same classification and sizing a
 * diagnosis uses), the memory its requests hold beyond what it needs, and how close it is to its limit.
 */
import { analyzeTrace } from "../analyze.ts";
import type { MemoryClass } from "../classify.ts";
import type { Sample } from "../model.ts";
import { containerSlot, slotParts, workloadFromPodName } from "../pod-workload.ts";
import { formatBytes } from "../quantity.ts";
import type { Proposal } from "../remediation/proposal.ts";

/** One pod's container as the digest reads it: a week of working set (hourly maxima) and its spec. */
export interface DigestInput {
  namespace: string;
  pod: string;
  container: string;
  workingSet: Sample[];
  restarts: Sample[];
  requestBytes: number | null;
  limitBytes: number | null;
}

export interface DigestRow {
  namespace: string;
  /** "deployment/api" */
  workload: string;
  container: string;
  pods: number;
  requestBytes: number | null;
  limitBytes: number | null;
  recommendedRequest: number | null;
  recommendedLimit: number | null;
  classification: MemoryClass;
  /** the highest working set of any of its pods over the week */
  peakBytes: number;
  /** the highest share of the limit any of its pods is at now */
  shareNow: number | null;
  /** requests held beyond the recommendation, summed over its pods */
  freeableBytes: number;
}

/** A row's change, offered behind the same approval as a diagnosis's buttons. */
export interface DigestOffer {
  row: DigestRow;
  proposal: Proposal;
}

export interface Digest {
  rows: DigestRow[];
  /** most memory held beyond need first */
  over: DigestRow[];
  /** a limit below what memops recommends, the biggest shortfall first */
  under: DigestRow[];
  /** closest to their limit now */
  closest: DigestRow[];
  freeableBytes: number;
}

const TOP = 5;
/** a pod with no sample for this long is gone */
const GONE_AFTER = 2 * 3600;
/** a pod whose samples end this long before its workload's newest pod's was replaced */
const REPLACED_BEFORE = 1.5 * 3600;

export function buildDigest(inputs: readonly DigestInput[], now: number, maxFactor: number): Digest {
  const bySlot = new Map<string, DigestInput[]>();
  for (const c of inputs) {
    // a pod whose series ended hours ago was replaced (a rollout, a raise): it is not the workload now
    const last = c.workingSet[c.workingSet.length - 1]?.t;
    if (last === undefined || now - last > GONE_AFTER) continue;
    const key = `${c.namespace}|${containerSlot(workloadFromPodName(c.pod), c.container)}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), c]);
  }
  const rows: DigestRow[] = [];
  for (const [key, all] of bySlot) {
    // replaced pods (a rollout, a raise) end before the newest one does: the workload is its pods now
    const lastOf = (p: DigestInput) => p.workingSet[p.workingSet.length - 1]?.t ?? 0;
    const newest = Math.max(...all.map(lastOf));
    const pods = all.filter((p) => lastOf(p) >= newest - REPLACED_BEFORE);
    const [namespace = "", ...rest] = key.split("|");
    const { workload, container } = slotParts(rest.join("|"));
    const sized = pods.map((p) => ({
      p,
      out: analyzeTrace(
        { workingSet: p.workingSet, rss: [], restarts: p.restarts, oomAt: [] },
        { limitBytes: p.limitBytes, requestBytes: p.requestBytes, maxFactor, now },
      ),
      peak: Math.max(...p.workingSet.map((s) => s.v)),
    }));
    // the pod that came closest to its limit speaks for the container, as a diagnosis's raise does
    const top = sized.reduce((a, b) => (b.peak > a.peak ? b : a));
    const recRequest = top.out.recommendation.requestBytes;
    const freeable = sized.reduce(
      (n, s) => n + (s.p.requestBytes !== null && recRequest !== null ? Math.max(0, s.p.requestBytes - recRequest) : 0),
      0,
    );
    const shares = sized.flatMap((s) =>
      s.p.limitBytes ? [(s.p.workingSet[s.p.workingSet.length - 1]?.v ?? 0) / s.p.limitBytes] : [],
    );
    rows.push({
      namespace,
      workload,
      container,
      pods: pods.length,
      requestBytes: top.p.requestBytes,
      limitBytes: top.p.limitBytes,
      recommendedRequest: recRequest,
      recommendedLimit: top.out.recommendation.limitBytes,
      classification: top.out.classification,
      peakBytes: top.peak,
      shareNow: shares.length ? Math.max(...shares) : null,
      freeableBytes: freeable,
    });
  }
  rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.workload.localeCompare(b.workload));
  const shortfall = (r: DigestRow) =>
    r.limitBytes !== null && r.recommendedLimit !== null ? r.recommendedLimit - r.limitBytes : 0;
  return {
    rows,
    over: rows
      .filter((r) => r.freeableBytes > 0)
      .sort((a, b) => b.freeableBytes - a.freeableBytes)
      .slice(0, TOP),
    under: rows
      .filter((r) => shortfall(r) > 0)
      .sort((a, b) => shortfall(b) - shortfall(a))
      .slice(0, TOP),
    closest: rows
      .filter((r) => r.shareNow !== null)
      .sort((a, b) => (b.shareNow ?? 0) - (a.shareNow ?? 0))
      .slice(0, TOP),
    freeableBytes: rows.reduce((n, r) => n + r.freeableBytes, 0),
  };
}

const cell = (b: number | null) => (b === null ? "" : String(Math.round(b)));

/** Every row as CSV (bytes), for a spreadsheet or `memops analyze`'s readers. */
export function digestCsv(d: Digest): string {
  const head =
    "namespace,workload,container,pods,request_bytes,limit_bytes,recommended_request_bytes,recommended_limit_bytes,classification,peak_bytes,share_of_limit_now,freeable_request_bytes";
  const lines = d.rows.map((r) =>
    [
      r.namespace,
      r.workload,
      r.container,
      r.pods,
      cell(r.requestBytes),
      cell(r.limitBytes),
      cell(r.recommendedRequest),
      cell(r.recommendedLimit),
      r.classification,
      cell(r.peakBytes),
      r.shareNow === null ? "" : r.shareNow.toFixed(3),
      cell(r.freeableBytes),
    ].join(","),
  );
  return `${[head, ...lines].join("\n")}\n`;
}

/** "512Mi → 640Mi" */
export const change = (from: number | null, to: number | null): string =>
  `${from === null ? "none" : formatBytes(from)} → ${to === null ? "?" : formatBytes(to)}`;
