/** Snooze and "not a problem" on the parent of an incident the fleet watch opened. */
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { IncidentDeps } from "../../app/incident-deps.ts";
import { type MuteChoice, muteWatch } from "../../app/mute-watch.ts";
import { WATCH_ACTION } from "../render/watch-buttons.ts";

const CHOICE = new Map(Object.entries(WATCH_ACTION).map(([choice, id]) => [id, choice as MuteChoice]));

export function register(app: App, d: IncidentDeps): void {
  app.action<BlockAction<ButtonAction>>(/^mem:watch-/, async ({ ack, body, action, respond }) => {
    await ack();
    const choice = CHOICE.get(action.action_id);
    if (!choice) return;
    const done = await muteWatch(d, action.value ?? "", body.channel?.id ?? "", body.user.id, choice);
    if (!done.ok) await respond({ response_type: "ephemeral", replace_original: false, text: done.error });
  });
}
