/** What the remediation tests share: the shop incident without its leak, a two-person policy, buttons. */
import { MiB } from "../../src/core/quantity.ts";
import { parsePolicy, type Policy } from "../../src/core/remediation/policy.ts";
import type { EmuMessage } from "../../src/slack/emulator/workspace.ts";
import { ALICE, cardRecorded, CHANNEL, type Harness } from "./app-harness.ts";
import type { FakeCluster } from "./fake-cluster.ts";
import { messageText } from "./message-text.ts";
import { FakeMetrics } from "./fake-metrics.ts";
import { series } from "./fixtures.ts";
import { SHOP, shopSeries } from "./shop-scenario.ts";

export const BOB = "U0BOB",
  CAROL = "U0CAROL",
  DAVE = "U0DAVE",
  MALLORY = "U0MALLORY";

/** shop: anyone may ask for restart, raise-limit or scale-out; the SRE group (S0SRE) approves. */
export const policy = ((): Policy => {
  const p = parsePolicy({
    expiry: "15m",
    rules: [
      { namespaces: ["shop"], actions: ["restart", "raise-limit", "scale-out"], request: ["*"], approve: ["S0SRE"] },
    ],
    identities: { [BOB]: { user: "bob@example.com", groups: ["sre"] }, [CAROL]: { user: "carol@example.com" } },
  });
  if (!p.ok) throw new Error(p.error.join("; "));
  return p.value;
})();

/** The shop incident without the leaking replica: an OOM cycle whose fix is a bounded limit increase. */
export const noLeak = () =>
  new FakeMetrics(
    shopSeries().map((s) =>
      s.pod === SHOP.leaking && s.container === "api"
        ? { ...s, workingSet: series(6 * 3600, 60, () => 380 * MiB, 3 * MiB, 7) }
        : s,
    ),
  );

export type Button = { action_id: string; value: string; text: { text: string }; style?: string; confirm?: unknown };
export const buttons = (m: EmuMessage): Button[] =>
  (m.blocks as { type: string; elements?: Button[] }[])
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? []);

export const apiLimit = (c: FakeCluster) =>
  c.data.workloads.find((w) => w.kind === "deployment" && w.name === "api")!.template.containers[0]!.limitBytes;
export const realPatches = (c: FakeCluster) =>
  c.calls.filter((x) => x.method === "patchWorkload" && !(x.args[2] as { dryRun: boolean }).dryRun);

/** `user` clicks the button whose label matches on `m`; a missing button fails with the labels there are. */
export async function clickButton(h: Harness, m: EmuMessage, label: string | RegExp, user = ALICE): Promise<Button> {
  const matches = (b: Button) => (typeof label === "string" ? b.text.text === label : label.test(b.text.text));
  const button = buttons(m).find(matches);
  if (!button)
    throw new Error(
      `no button ${String(label)} on the message; it has: ${buttons(m)
        .map((b) => b.text.text)
        .join(", ")}`,
    );
  await h.slack.click({
    user,
    channel: CHANNEL,
    messageTs: m.ts,
    actionId: button.action_id,
    value: button.value,
    ...(m.threadTs ? { threadTs: m.threadTs } : {}),
  });
  return button;
}

/**
 * `user` clicks a remediation button on the parent; resolves with the approval card it posts in the
 * thread and the proposal's id, once memops has recorded where the card is.
 */
export async function requestFromParent(h: Harness, parent: EmuMessage, label: string, user = ALICE) {
  const button = await clickButton(h, parent, label, user);
  const ws = h.emulator.workspace;
  const card = await ws.waitFor(() =>
    ws.thread(CHANNEL, parent.ts).find((m) => messageText(m).includes("Approval needed")),
  );
  await cardRecorded(h.store, button.value);
  return { card, id: button.value };
}

/** `user` clicks Approve on a card in the thread `threadTs`. */
export const approveCard = (h: Harness, user: string, card: EmuMessage, id: string, threadTs: string) =>
  h.slack.click({ user, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id, threadTs });

/**
 * `user` clicks Approve on `card` once memops has recorded it; resolves with the outcome posted in the
 * card's thread (the message starting with `says`: "Done:", "Not run:", …) and the proposal's id.
 */
export async function approveAndAwait(h: Harness, user: string, card: EmuMessage, says = "Done:") {
  const id = buttons(card).find((b) => b.action_id === "mem:approve")!.value;
  await cardRecorded(h.store, id);
  const thread = card.threadTs ?? card.ts;
  await approveCard(h, user, card, id, thread);
  const ws = h.emulator.workspace;
  const outcome = await ws.waitFor(() => ws.thread(CHANNEL, thread).find((m) => m.text.startsWith(says)));
  return { outcome, id };
}
