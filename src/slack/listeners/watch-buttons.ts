/**
 * Snooze and "not a problem" on the parent of an incident the fleet watch opened. "Not a problem" asks
 * why in a modal first; if the modal cannot be opened (the trigger expired), it is kept without one.
 */
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { IncidentDeps } from "../../app/incident-deps.ts";
import { type MuteChoice, muteWatch } from "../../app/mute-watch.ts";
import { subjectKey } from "../../core/subject.ts";
import { NOT_A_PROBLEM_VIEW, notAProblemModal, WATCH_ACTION, WHY_BLOCK, WHY_INPUT } from "../render/watch-buttons.ts";

const CHOICE = new Map(Object.entries(WATCH_ACTION).map(([choice, id]) => [id, choice as MuteChoice]));

export function register(app: App, d: IncidentDeps): void {
  app.action<BlockAction<ButtonAction>>(/^mem:watch-/, async ({ ack, body, action, respond, client }) => {
    await ack();
    const choice = CHOICE.get(action.action_id);
    if (!choice) return;
    const incidentId = action.value ?? "";
    const channel = body.channel?.id ?? "";
    if (choice === "not-a-problem") {
      const incident = await d.store.incident(incidentId);
      if (!incident || incident.channel !== channel) {
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: "This button does not belong to an incident in this channel.",
        });
        return;
      }
      try {
        await client.views.open({
          trigger_id: body.trigger_id,
          view: notAProblemModal(incidentId, channel, subjectKey(incident.subject)),
        });
        return;
      } catch (e) {
        d.log.warn(
          { reason: (e as Error).message },
          "the 'not a problem' form could not be opened: kept without a reason",
        );
      }
    }
    const done = await muteWatch(d, incidentId, channel, body.user.id, choice);
    if (!done.ok) await respond({ response_type: "ephemeral", replace_original: false, text: done.error });
  });

  app.view(NOT_A_PROBLEM_VIEW, async ({ ack, body, view }) => {
    const why = view.state.values[WHY_BLOCK]?.[WHY_INPUT]?.value?.trim() ?? "";
    if (why.length < 3) {
      await ack({ response_action: "errors", errors: { [WHY_BLOCK]: "Say in a few words why it is not a problem." } });
      return;
    }
    let meta: { incident?: unknown; channel?: unknown };
    try {
      meta = JSON.parse(view.private_metadata) as typeof meta;
    } catch {
      meta = {};
    }
    await ack();
    const done = await muteWatch(
      d,
      typeof meta.incident === "string" ? meta.incident : "",
      typeof meta.channel === "string" ? meta.channel : "",
      body.user.id,
      "not-a-problem",
      why,
    );
    if (!done.ok) d.log.warn({ reason: done.error }, "'not a problem' was not kept");
  });
}
