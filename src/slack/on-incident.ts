import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Logger } from "pino";
import type { AuditTrail } from "../app/audit-trail.ts";
import { summarize } from "../core/incident-summary.ts";
import type { Chat, Clock, Incident, Store } from "../ports.ts";
import { context } from "./render/blocks.ts";
import { summaryMessage } from "./render/incident.ts";

/** The incident's audit entries: its workload's, and what was recorded under its id. */
export async function incidentEntries(store: Store, i: Incident) {
  return (await store.auditEntries({ since: i.openedAt - 1 })).filter(
    (e) => e.target === i.workload || e.details["incident"] === i.id,
  );
}

/** Summarize posts a summary in the thread; Resolve posts the final one, closes the incident and says so on the parent. */
export function registerIncidentActions(
  app: App,
  d: { store: Store; chat: Chat; clock: Clock; audit: AuditTrail; log: Logger },
): void {
  app.action<BlockAction<ButtonAction>>(/^mem:(summarize|resolve)$/, async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    const i = await d.store.incident(action.value ?? "");
    if (!i || i.channel !== body.channel?.id)
      return void (await respond({
        response_type: "ephemeral",
        replace_original: false,
        text: "memops has no such incident in this channel",
      }));
    const resolve = action.action_id === "mem:resolve";
    if (resolve && i.status === "resolved")
      return void (await respond({
        response_type: "ephemeral",
        replace_original: false,
        text: "this incident is already resolved",
      }));
    const now = d.clock.now() / 1000;
    const summary = summarize(i.workload, i.openedAt, await incidentEntries(d.store, i), resolve ? now : i.resolvedAt);
    await d.chat.post(i.channel, summaryMessage(summary, resolve), i.threadTs);
    if (!resolve) return;
    await d.store.resolveIncident(i.id, now);
    await d.audit.record({
      kind: "incident",
      slackUser: user,
      target: i.workload,
      what: "incident resolved",
      outcome: summary.mainPoint,
      details: { incident: i.id },
    });
    const parent = await d.store.parent(i.channel, i.threadTs);
    if (parent) {
      // Decided: no more buttons on the summary; a resolved line in their place.
      const blocks = [
        ...parent.blocks.filter((b) => b.type !== "actions"),
        context(`:white_check_mark: Resolved by <@${user}> — the final summary is in the thread`),
      ];
      await d.chat.update(i.channel, i.threadTs, { text: `Resolved: ${parent.text}`, blocks });
      await d.store.saveParent(i.channel, i.threadTs, { text: `Resolved: ${parent.text}`, blocks });
    }
    d.log.info({ incident: i.id, user }, "incident resolved");
  });
}
