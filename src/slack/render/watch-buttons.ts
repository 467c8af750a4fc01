/** The fleet watch's buttons on the parent of an incident it opened: keep quiet about this workload. */
import type { MuteChoice } from "../../app/mute-watch.ts";
import type { types } from "@slack/bolt";
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
      })),
    },
  ];
}

/** The modal "Not a problem" opens: why, kept with the mute and shown wherever it is listed. */
export const NOT_A_PROBLEM_VIEW = "mem:watch-not-a-problem-why";
export const WHY_BLOCK = "why";
export const WHY_INPUT = "why-text";
export const WHY_MAX = 500;

const pt = (text: string) => ({ type: "plain_text" as const, text });

export function notAProblemModal(incidentId: string, channel: string, label: string): types.ModalView {
  return {
    type: "modal",
    callback_id: NOT_A_PROBLEM_VIEW,
    private_metadata: JSON.stringify({ incident: incidentId, channel }),
    title: pt("Not a problem"),
    submit: pt("Not a problem"),
    close: pt("Cancel"),
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `The memory watch stops warning about *${label}* in <#${channel}> until someone lifts it (\`/mem watch unmute\`). It is recorded with your name and your reason, audited, and shown in the digest.`,
        },
      },
      {
        type: "input",
        block_id: WHY_BLOCK,
        label: pt("Why is it not a problem?"),
        element: {
          type: "plain_text_input",
          action_id: WHY_INPUT,
          multiline: true,
          min_length: 3,
          max_length: WHY_MAX,
          placeholder: pt("e.g. a cache that fills its limit by design"),
        },
      },
    ],
  };
}
