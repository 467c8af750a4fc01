/** Summarise posts the incident's summary in its thread; Resolve posts the final one and closes it. */
import { summarize } from "../core/incident-summary.ts";
import { err, ok, type Result } from "../core/result.ts";
import type { Incident } from "../ports.ts";
import type { IncidentDeps } from "./incident-deps.ts";
import { incidentEntries } from "./incident-timeline.ts";

type Deps = Pick<IncidentDeps, "store" | "chat" | "audit" | "view" | "log"> & {
  clock: IncidentDeps["diagnosis"]["clock"];
};

async function incidentIn(d: Deps, id: string, channel: string): Promise<Result<Incident>> {
  const i = await d.store.incident(id);
  return i && i.channel === channel ? ok(i) : err("memops has no such incident in this channel");
}

async function post(d: Deps, i: Incident, final: boolean) {
  const now = d.clock.now();
  const summary = summarize(i.subject, i.openedAt, await incidentEntries(d.store, i), final ? now : i.resolvedAt);
  await d.chat.post(i.channel, d.view.summary(summary, final), i.threadTs);
  return { summary, now };
}

export async function summariseIncident(d: Deps, id: string, channel: string): Promise<Result<void>> {
  const i = await incidentIn(d, id, channel);
  if (!i.ok) return i;
  await post(d, i.value, false);
  return ok(undefined);
}

/** The final summary in the thread, the incident closed and on the record, the parent without its buttons. */
export async function resolveIncident(d: Deps, id: string, channel: string, user: string): Promise<Result<void>> {
  const found = await incidentIn(d, id, channel);
  if (!found.ok) return found;
  const i = found.value;
  if (i.status === "resolved") return err("this incident is already resolved");
  const { summary, now } = await post(d, i, true);
  await d.store.resolveIncident(i.id, now);
  await d.audit.record({
    kind: "incident",
    slackUser: user,
    target: i.subject,
    what: "incident resolved",
    outcome: summary.mainPoint,
    details: { incident: i.id },
  });
  const parent = await d.store.parent(i.channel, i.threadTs);
  if (parent) {
    const resolved = d.view.resolvedParent(parent, user);
    await d.chat.update(i.channel, i.threadTs, resolved);
    await d.store.saveParent(i.channel, i.threadTs, resolved);
  }
  d.log.info({ incident: i.id, user }, "incident resolved");
  return ok(undefined);
}
