/** Summarize and Resolve on an incident's parent message. */
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { IncidentDeps } from "../../app/incident-deps.ts";
import { resolveIncident, summariseIncident } from "../../app/summarise-incident.ts";
import { INCIDENT_ACTION } from "../render/incident.ts";

export function register(app: App, d: IncidentDeps): void {
  const deps = { ...d, clock: d.diagnosis.clock };
  app.action<BlockAction<ButtonAction>>(/^mem:(summarize|resolve)$/, async ({ ack, body, action, respond }) => {
    await ack();
    const channel = body.channel?.id ?? "";
    const done =
      action.action_id === INCIDENT_ACTION.resolve
        ? await resolveIncident(deps, action.value ?? "", channel, body.user.id)
        : await summariseIncident(deps, action.value ?? "", channel);
    if (!done.ok) await respond({ response_type: "ephemeral", replace_original: false, text: done.error });
  });
}
