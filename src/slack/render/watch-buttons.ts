/** The fleet watch's buttons on the parent of an incident it opened: keep quiet about this workload. */
import type { MuteChoice } from "../../app/mute-watch.ts";
import { type Block, plain } from "./blocks.ts";

export const WATCH_ACTION: Record<MuteChoice, string> = {
  "snooze-1h": "mem:watch-snooze-1h",
  "snooze-24h": "mem:watch-snooze-24h",
  "until-rollout": "mem:watch-until-rollout",
  "not-a-problem": "mem:watch-not-a-problem",
};

const LABEL: Record<MuteChoice, string> = {
  "snooze-1h": "Snooze 1 h",
  "snooze-24h": "Snooze 24 h",
  "until-rollout": "Snooze until next rollout",
  "not-a-problem": "Not a problem",
};

export function watchButtons(incidentId: string): Block[] {
  return [
    {
      type: "actions",
      block_id: "watch",
      elements: (Object.keys(WATCH_ACTION) as MuteChoice[]).map((choice) => ({
        type: "button",
        action_id: WATCH_ACTION[choice],
        value: incidentId,
        text: plain(LABEL[choice]),
        ...(choice === "not-a-problem"
          ? {
              confirm: {
                title: plain("Not a problem?"),
                text: plain(
                  "The memory watch stops warning about this workload in this channel until someone lifts it; it is recorded with your name.",
                ),
                confirm: plain("Not a problem"),
                deny: plain("Cancel"),
              },
            }
          : {}),
      })),
    },
  ];
}
