/** "Not a problem" as a person does it: the button, then the modal memops opens, submitted with a reason. */
import type { EmuMessage } from "../../src/slack/emulator/workspace.ts";
import type { AppResponse, SignedRequests } from "../../src/slack/emulator/signed-requests.ts";
import type { SlackEmulator } from "../../src/slack/emulator/server.ts";

interface Side {
  slack: SignedRequests;
  emulator: SlackEmulator;
}

/** Clicks "Not a problem" on the parent as `user`, waits for memops's modal, submits `why`; resolves with the submission's answer. */
export async function markNotAProblem(h: Side, parent: EmuMessage, user: string, why: string): Promise<AppResponse> {
  const ws = h.emulator.workspace;
  const button = (
    parent.blocks as { type: string; elements?: { text: { text: string }; action_id: string; value: string }[] }[]
  )
    .flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []))
    .find((b) => b.text.text === "Not a problem");
  if (!button) throw new Error("no Not a problem button on the message");
  const before = new Set(ws.views.keys());
  await h.slack.click({
    user,
    channel: parent.channel,
    messageTs: parent.ts,
    actionId: button.action_id,
    value: button.value,
  });
  const view = await ws.waitFor(() => [...ws.views.values()].find((v) => !before.has(v.id) && v.user === user));
  return h.slack.submitView({ user, viewId: view.id, values: { why: { "why-text": why } } });
}
