import type { IncidentSummary } from "../../core/incident-summary.ts";
import { type Block, type ChatMessage, header, plain, sections } from "./blocks.ts";
import { esc, memopsText } from "./mrkdwn.ts";

export const INCIDENT_ACTION = { summarize: "mem:summarize", resolve: "mem:resolve", profile: "mem:profile" } as const;

/** the compare interval of the *Capture heap profile* button (a leak grows between two profiles) */
export const BUTTON_PROFILE_COMPARE = 300;

/** Summarize and Resolve on the parent: slash commands cannot be typed in a thread. */
export function incidentButtons(incidentId: string, o: { profile?: boolean } = {}): Block[] {
  return [
    {
      type: "actions",
      block_id: "incident",
      elements: [
        ...(o.profile
          ? [
              {
                type: "button",
                action_id: INCIDENT_ACTION.profile,
                value: incidentId,
                text: plain("Capture heap profile"),
              },
            ]
          : []),
        { type: "button", action_id: INCIDENT_ACTION.summarize, value: incidentId, text: plain("Summarize") },
        {
          type: "button",
          action_id: INCIDENT_ACTION.resolve,
          value: incidentId,
          text: plain("Resolve"),
          confirm: {
            title: plain("Resolve this incident?"),
            text: plain("memops posts a final summary and closes the incident; a new diagnosis opens a new one."),
            confirm: plain("Resolve"),
            deny: plain("Cancel"),
          },
        },
      ],
    },
  ];
}

export function summaryMessage(s: IncidentSummary, final: boolean): ChatMessage {
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `• ${memopsText(x)}`).join("\n") : "• none");
  return {
    text: `${final ? "Final summary" : "Summary"}: ${s.title} — ${s.mainPoint}`,
    blocks: [
      header(`${final ? "Final summary" : "Summary"}: ${s.title}`),
      ...sections(`*${memopsText(s.mainPoint)}*\n*Category:* ${esc(s.category)}`),
      ...sections(`*Evidence*\n${list(s.evidence)}\n*Details*\n${list(s.details)}`),
      ...sections(
        `*Actions*\n${list(s.actions)}\n*Verification*\n${list(s.verification)}\n*Follow-ups*\n${list(s.followUps)}`,
      ),
    ],
  };
}
