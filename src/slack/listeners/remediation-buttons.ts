/** Buttons on verdicts and approval cards: parse the click, call the use case, answer in the thread clicked in. */
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { approveRemediation } from "../../app/approve-remediation.ts";
import { denyRemediation } from "../../app/deny-remediation.ts";
import { tell } from "../../app/remediation-deps.ts";
import { requestRemediation } from "../../app/request-remediation.ts";
import type { Verifier, VerifierDeps } from "../../app/verify-remediation.ts";
import type { Directory } from "../../ports.ts";

export interface RemediationButtonDeps {
  remediation: VerifierDeps;
  verifier: Verifier;
  directory: Directory;
}

interface Container {
  message_ts?: string;
  thread_ts?: string;
}

export function register(app: App, { remediation: d, verifier, directory }: RemediationButtonDeps): void {
  app.action<BlockAction<ButtonAction>>(/^mem:(request|approve|deny)(:\d+)?$/, async ({ ack, body, action }) => {
    await ack();
    const kind = action.action_id.split(":")[1];
    const user = body.user.id;
    const channel = body.channel?.id ?? "";
    const container = (body.container ?? {}) as Container;
    const clickedTs = kind === "request" ? undefined : container.message_ts;
    const where = { channel, user, threadTs: container.thread_ts ?? container.message_ts ?? null };
    const log = d.log.child({ user, channel, click: kind, proposal: action.value });
    const id = action.value ?? "";
    const actor = { user, groups: await directory.groupsOf(user) };
    if (kind === "request") {
      const r = await requestRemediation(d, id, actor, channel);
      log.info({ ok: r.ok, ...(r.ok ? {} : { reason: r.error }) }, "remediation requested");
      if (!r.ok) await tell(d, where, r.error);
      return;
    }
    if (kind === "deny") {
      const r = await denyRemediation(d, id, actor, channel, clickedTs);
      log.info({ ok: r.ok, ...(r.ok ? {} : { reason: r.error }) }, "remediation denied");
      if (!r.ok) await tell(d, where, r.error);
      return;
    }
    const o = await approveRemediation({ ...d, verifier }, id, actor, channel, clickedTs);
    log.info({ outcome: o.kind, ...(o.kind === "refused" ? { reason: o.reason } : {}) }, "remediation approval");
    if (o.kind === "refused") await tell(d, where, o.reason);
    else if (o.kind === "needs-more")
      await tell(d, where, `Approved. It needs ${o.remaining} more approval${o.remaining === 1 ? "" : "s"}.`);
    else if (o.kind === "not-recorded")
      await tell(
        d,
        where,
        `Nothing was changed: ${o.proposal.result ?? "the audit log could not record this approval"}. Try again once the store is back.`,
      );
  });
}
