/**
 * The rightsizing digest of a channel's namespaces (issue 15): a week of every container's memory from
 * Prometheus — one range query per namespace, hourly maxima, and one instant query for the requests —
 * sized as a diagnosis sizes, with the channel's snoozed and "not a problem" workloads and its open
 * incidents; posted in the channel with the rows' changes as buttons, a chart of the rows and the full
 * table as a CSV in its thread, and audited.
 */
import { nsMatches, nsRegex } from "../core/namespace-pattern.ts";
import { err, ok, type Result } from "../core/result.ts";
import { buildDigest, type DigestInput, digestCsv } from "../core/watch/digest.ts";
import { PortError, type MemoryMetrics } from "../ports.ts";
import type { IncidentDeps } from "./incident-deps.ts";
import { listAllPods } from "../engine/resolve-target.ts";
import { offerDigestChanges } from "./digest-offers.ts";
import { digestAltText, digestScene } from "../core/chart/digest-scene.ts";

/** What a digest covers: namespaces, and within them the pods a label selector picks (all, without one). */
export interface DigestScope {
  namespaces: readonly string[];
  selector?: string;
}

/** How a scope reads in the digest's title: "shop, pay-*" or "shop (app=checkout)". */
export const describeScopes = (scopes: readonly DigestScope[]): string[] =>
  scopes.map((s) => `${s.namespaces.join(", ")}${s.selector ? ` (${s.selector})` : ""}`);

const WEEK = 7 * 86_400;
const HOUR = 3600;
const BY = "namespace, pod, container";

export interface DigestDeps {
  incidents: IncidentDeps;
  metrics: MemoryMetrics | null;
  maxFactor: number;
}

export async function postDigest(
  d: DigestDeps,
  channel: string,
  scopes: readonly DigestScope[],
): Promise<Result<{ ts: string; rows: number }>> {
  const { store, chat, view, audit, diagnosis } = d.incidents;
  if (!d.metrics)
    return err("the digest reads a week of history from Prometheus, and none is configured (PROMETHEUS_URL)");
  const now = diagnosis.clock.now();
  const patterns = [...new Set(scopes.flatMap((s) => s.namespaces))];
  const re = JSON.stringify(nsRegex(patterns));
  let inputs: DigestInput[];
  try {
    const [namespaces, requests] = await Promise.all([
      d.metrics.evaluate(
        `count by (namespace) (kube_pod_container_resource_limits{resource="memory",namespace=~${re}})`,
        now,
      ),
      d.metrics.evaluate(
        `max by (${BY}) (kube_pod_container_resource_requests{resource="memory",namespace=~${re}})`,
        now,
      ),
    ]);
    const request = new Map(
      requests.map((r) => [`${r.labels["namespace"]}/${r.labels["pod"]}/${r.labels["container"]}`, r.value]),
    );
    inputs = [];
    for (const ns of namespaces
      .map((n) => n.labels["namespace"] ?? "")
      .filter(Boolean)
      .sort()) {
      const keep = await podsInScope(d, scopes, ns);
      if (keep?.size === 0) continue;
      const series = await d.metrics.containerMemory({
        namespace: ns,
        podPattern: null,
        start: now - WEEK,
        end: now,
        stepSeconds: HOUR,
      });
      for (const c of series)
        if (!keep || keep.has(c.pod))
          inputs.push({
            namespace: ns,
            pod: c.pod,
            container: c.container,
            workingSet: c.workingSet,
            restarts: c.restarts,
            requestBytes: request.get(`${ns}/${c.pod}/${c.container}`) ?? null,
            limitBytes: c.limit.at(-1)?.v ?? null,
          });
    }
  } catch (e) {
    if (e instanceof PortError) return err(`the digest could not read its data: ${e.message}`);
    throw e;
  }
  const digest = buildDigest(inputs, now, d.maxFactor);
  const mutes = (await store.watchMutes()).filter((m) => m.channel === channel);
  const incidents = await store.openIncidents(channel);
  const title = describeScopes(scopes);
  const ts = await chat.post(channel, view.digest(digest, title, mutes, incidents, []));
  // the rows' changes are offered under the digest, their approval cards in its thread
  const offers = await offerDigestChanges(d.incidents, digest, { channel, threadTs: ts });
  if (offers.length) await chat.update(channel, ts, view.digest(digest, title, mutes, incidents, offers));
  const scene = digestScene(digest, `Memory rightsizing: ${title.join("; ")}`);
  if (scene)
    try {
      await chat.upload(channel, ts, {
        filename: "memops-digest.png",
        title: "memops rightsizing digest: peak, request and limit against the recommendation",
        altText: digestAltText(digest),
        bytes: await d.incidents.drawChart(scene),
      });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      d.incidents.log.warn({ reason }, "digest chart not posted");
      await chat.post(channel, view.chartFailed("the digest", reason), ts);
    }
  await chat.upload(channel, ts, {
    filename: "memops-digest.csv",
    title: "memops rightsizing digest (every container)",
    altText: `${digest.rows.length} containers: request, limit, memops's recommendation, peak, share of the limit now`,
    bytes: new TextEncoder().encode(digestCsv(digest)),
  });
  await audit.record({
    kind: "watch",
    slackUser: null,
    target: null,
    what: `rightsizing digest of ${title.join("; ")}`,
    outcome: `${digest.rows.length} containers, ${digest.over.length} over-provisioned, ${digest.under.length} under`,
    details: {
      channel,
      freeableBytes: digest.freeableBytes,
      mutes: mutes.length,
      incidents: incidents.length,
      offered: offers.map((o) => ({ proposal: o.proposal.id, change: o.proposal.plan.summary })),
    },
  });
  return ok({ ts, rows: digest.rows.length });
}

/**
 * The pods of a namespace its scopes pick by label (one paged list per selector); null when a scope
 * takes the whole namespace. Pods gone since (a week's history names them) cannot be told by label and
 * are left out.
 */
async function podsInScope(d: DigestDeps, scopes: readonly DigestScope[], ns: string): Promise<Set<string> | null> {
  const here = scopes.filter((s) => s.namespaces.some((n) => nsMatches(n, ns)));
  if (here.some((s) => !s.selector)) return null;
  const names = new Set<string>();
  for (const s of here)
    for (const p of await listAllPods(d.incidents.diagnosis.cluster, ns, s.selector)) names.add(p.name);
  return names;
}
