/** The weekly rightsizing digest as Block Kit: the few rows worth acting on; every row is in the CSV. */
import { subjectKey } from "../../core/subject.ts";
import { change, type Digest, type DigestOffer, type DigestRow } from "../../core/watch/digest.ts";
import { describeMute, type Mute } from "../../core/watch/mutes.ts";
import { formatBytes } from "../../core/quantity.ts";
import type { ChatMessage, Incident } from "../../ports.ts";
import { type Block, context, header, sections } from "./blocks.ts";
import { cut, esc, escKeepMentions } from "./mrkdwn.ts";
import { requestButtons } from "./remediation.ts";
import { shortWorkload } from "../../core/target.ts";

const who = (r: DigestRow) => `*${esc(shortWorkload(r.workload))}* -n ${esc(r.namespace)} (${esc(r.container)})`;

export function digestMessage(
  d: Digest,
  namespaces: readonly string[],
  mutes: readonly Mute[],
  incidents: readonly Incident[],
  offers: readonly DigestOffer[] = [],
): ChatMessage {
  const list = (title: string, rows: string[], none: string) =>
    `*${title}*\n${rows.length ? rows.map((r) => `• ${r}`).join("\n") : `_${none}_`}`;
  const over = d.over.map(
    (r) =>
      `${who(r)}: request ${change(r.requestBytes, r.recommendedRequest)}, frees ${formatBytes(r.freeableBytes)} over ${r.pods} pod${r.pods === 1 ? "" : "s"}`,
  );
  const under = d.under.map(
    (r) =>
      `${who(r)}: limit ${change(r.limitBytes, r.recommendedLimit)} (${r.classification}, peak ${formatBytes(r.peakBytes)})`,
  );
  const closest = d.closest.map(
    (r) => `${who(r)}: ${Math.round((r.shareNow ?? 0) * 100)}% of its ${formatBytes(r.limitBytes ?? 0)} limit now`,
  );
  const quiet = mutes.map((m) => `${esc(subjectKey(m.subject))}: ${escKeepMentions(describeMute(m))}`);
  const open = incidents.map(
    (i) =>
      `${esc(subjectKey(i.subject))} since <!date^${Math.floor(i.openedAt)}^{date_short_pretty}|${new Date(i.openedAt * 1000).toISOString()}>`,
  );
  const text = `Rightsizing digest of ${namespaces.join(", ")}: ${d.rows.length} containers, ${formatBytes(d.freeableBytes)} of requests could be freed`;
  return {
    text,
    blocks: [
      header(`Memory rightsizing: ${namespaces.join(", ")}`.slice(0, 150)),
      ...sections(
        [
          `${d.rows.length} containers over the last 7 days; *${formatBytes(d.freeableBytes)}* of memory requests are held beyond what memops recommends.`,
          list("Most over-provisioned (request against the recommendation)", over, "none"),
          list("Under-provisioned (limit below the recommendation)", under, "none"),
          list("Closest to their limit", closest, "no limits set"),
          list("Snoozed and not a problem", quiet, "none"),
          list("Open incidents", open, "none"),
        ].join("\n\n"),
      ),
      ...offerButtons(offers),
      context(
        offers.length
          ? "Every container is in the CSV in the thread. Each button asks for its change: a dry run and pre-flight, then the two-person approval in the thread."
          : "Every container is in the CSV in the thread. No change is offered for these rows: a lower request needs `set-request` among the policy's actions for the namespace, a higher limit `raise-limit`, and a leak gets no raise.",
      ),
    ],
  };
}

/** "deploy/search app: request → 160Mi" */
function offerText(o: DigestOffer): string {
  const after = o.proposal.plan.changes[0]?.after ?? "?";
  const what = o.proposal.plan.action === "set-request" ? "request" : "limit";
  return cut(`${shortWorkload(o.row.workload)} ${o.row.container}: ${what} → ${after}`, 75);
}

/** The rows' changes as buttons, as under a verdict. */
const offerButtons = (offers: readonly DigestOffer[]): Block[] =>
  requestButtons(
    "digest-changes",
    offers.slice(0, 25).map((o) => ({ proposal: o.proposal, text: offerText(o) })),
  );
