import type { Recheck } from "../../engine/remediation/recheck.ts";
import { formatDuration } from "../../core/duration.ts";
import { describeGitOps } from "../../core/remediation/gitops.ts";
import { mentions, type PolicyRule } from "../../core/remediation/policy.ts";
import type { Proposal } from "../../core/remediation/proposal.ts";
import type { RemediationView } from "../../app/remediation-deps.ts";
import type { Verification } from "../../engine/remediation/verify.ts";
import { type Block, type ChatMessage, codeSections, context, header, plain, sections } from "./blocks.ts";
import { cut, esc, slackDate } from "./mrkdwn.ts";

export const ACTION = { request: "mem:request", approve: "mem:approve", deny: "mem:deny" } as const;

const when = (t: number) => slackDate(t);

function buttonText(p: Proposal): string {
  const c = p.plan.changes[0];
  switch (p.plan.action) {
    case "restart":
      return "Rolling restart";
    case "raise-limit":
      return cut(`Raise ${p.plan.container ?? ""} limit to ${c?.after ?? "?"}`, 75);
    case "scale-out":
      return p.plan.autoscaler ? `Raise HPA max to ${c?.after ?? "?"}` : `Scale to ${c?.after ?? "?"} replicas`;
    case "set-request":
      return cut(`Set ${p.plan.container ?? ""} request to ${c?.after ?? "?"}`, 75);
  }
}

/** Buttons that ask for offered proposals: each carries only its proposal's opaque id. */
export function requestButtons(blockId: string, offers: readonly { proposal: Proposal; text: string }[]): Block[] {
  if (offers.length === 0) return [];
  return [
    {
      type: "actions",
      block_id: blockId,
      elements: offers.map((o, i) => ({
        type: "button",
        action_id: `${ACTION.request}:${i}`,
        value: o.proposal.id,
        text: plain(o.text),
      })),
    },
  ];
}

/** The remediation buttons under a verdict. */
export const remediationButtons = (proposals: readonly Proposal[]): Block[] =>
  requestButtons(
    "remediations",
    proposals.slice(0, 5).map((p) => ({ proposal: p, text: buttonText(p) })),
  );

function body(p: Proposal): Block[] {
  const changes = p.route.kind === "helm-release" ? p.route.changes : p.plan.changes;
  const blocks: Block[] = [
    ...codeSections("*What changes*", changes.map((c) => `${c.path}: ${c.before} → ${c.after}`).map(esc)),
  ];
  if (p.plan.reason) blocks.push(context(`Why this size: ${esc(p.plan.reason)}`));
  if (p.dryRun) blocks.push(context(`:white_check_mark: ${esc(p.dryRun)}`));
  if (p.preflight?.length) {
    blocks.push(
      ...sections(
        `*Pre-flight checks*\n${p.preflight.map((c) => `${c.ok ? ":white_check_mark:" : c.blocking ? ":x:" : ":warning:"} ${esc(c.text)}`).join("\n")}`,
      ),
    );
  }
  if (p.gitOps) {
    const owner = esc(describeGitOps(p.gitOps));
    const say =
      p.route.kind === "helm-release"
        ? `:arrows_counterclockwise: *Managed by ${owner}*: memops changes the HelmRelease's values and asks Flux to reconcile, instead of patching the ${p.plan.target.kind} (Flux would revert that). Commit the same change to Git:`
        : p.route.kind === "git"
          ? `:outbox_tray: *Managed by ${owner}*: ${esc(p.route.why)}. Commit this change to Git:`
          : `:warning: *Managed by ${owner}*: the restart happens now; the annotation may be reverted at the next sync. Nothing to commit.`;
    blocks.push(...sections(say));
    const patch =
      p.route.kind === "helm-release"
        ? (p.route.patch["spec"] as Record<string, unknown>)
        : p.route.kind === "git"
          ? p.plan.patch
          : null;
    if (patch) blocks.push(...codeSections("", JSON.stringify(patch, null, 2).split("\n").map(esc)));
  }
  return blocks;
}

/** The approval request in the incident thread: what, who asked, who may approve, the dry run. */
export function approvalCard(p: Proposal, rule: PolicyRule | undefined): ChatMessage {
  const approvers = rule ? mentions(rule.approve) : "";
  const need = p.requiredApprovals - p.approvals.length;
  const destructive = p.plan.action === "restart";
  return {
    text: `Approval needed: ${p.plan.summary} (requested by <@${p.requester ?? ""}>)`,
    blocks: [
      header(`Approval needed: ${p.plan.summary}`),
      ...sections(
        `Requested by <@${p.requester ?? ""}> · expires ${p.expiresAt ? when(p.expiresAt) : "never"}\nNeeds ${need} more approval${need === 1 ? "" : "s"}${approvers ? ` from ${approvers}` : ""}${p.approvals.length ? ` · approved so far by ${p.approvals.map((a) => `<@${a.user}>`).join(", ")}` : ""}`,
      ),
      ...body(p),
      {
        type: "actions",
        block_id: `decide-${p.id}-${p.version}`,
        elements: [
          {
            type: "button",
            action_id: ACTION.approve,
            value: p.id,
            text: plain("Approve"),
            style: destructive ? "danger" : "primary",
            confirm: {
              title: plain("Approve this change?"),
              text: plain(cut(`${p.plan.summary}. memops will apply it as soon as you confirm.`, 300)),
              confirm: plain("Approve"),
              deny: plain("Cancel"),
            },
          },
          { type: "button", action_id: ACTION.deny, value: p.id, text: plain("Deny") },
        ],
      },
    ],
  };
}

const OUTCOME: Record<Proposal["status"], string> = {
  offered: "",
  pending: "",
  "handed-to-git": ":outbox_tray: Handed to Git: no live change",
  approved: ":hourglass_flowing_sand: Approved",
  executed: ":white_check_mark: Approved",
  failed: ":x: Failed",
  denied: ":no_entry: Denied",
  expired: ":hourglass: Expired",
  stale: ":no_entry_sign: Not run",
  superseded: ":twisted_rightwards_arrows: Superseded",
};

/** The same card once decided: no buttons, and a record of the decision in their place. */
export function decidedCard(p: Proposal): ChatMessage {
  const by = p.decidedBy ? ` by <@${p.decidedBy}>` : "";
  const at = p.decidedAt ? ` at ${when(p.decidedAt)}` : "";
  const line =
    p.status === "executed"
      ? `${OUTCOME.executed}${by}${at} · executed: ${esc(p.result ?? "")}`
      : p.status === "approved"
        ? `${OUTCOME.approved}${by}${at} · executing…`
        : p.status === "failed"
          ? `${OUTCOME.failed}${by}${at}: ${esc(p.result ?? "")}`
          : p.status === "stale"
            ? `${OUTCOME.stale}: ${esc(p.result ?? "")} — ask again`
            : p.status === "superseded"
              ? `${OUTCOME.superseded}${at} by a newer request: ${esc(p.result ?? "")}`
              : `${OUTCOME[p.status]}${by}${at}`;
  return {
    text: `${p.plan.summary}: ${p.status}${p.decidedBy ? ` by ${p.decidedBy}` : ""}`,
    blocks: [
      header(
        `${["expired", "denied", "stale", "superseded"].includes(p.status) ? "Not done" : p.status === "handed-to-git" ? "For Git" : "Change"}: ${p.plan.summary}`,
      ),
      ...sections(`Requested by <@${p.requester ?? ""}>\n${line}`),
      ...body(p),
    ],
  };
}

/** The thread message after an execution. */
export function outcomeMessage(p: Proposal): ChatMessage {
  const summary = p.plan.summary;
  if (p.status === "executed") {
    return {
      text: `Done: ${summary}`,
      blocks: sections(
        `:white_check_mark: *Done:* ${summary} (approved by <@${p.decidedBy ?? ""}>, requested by <@${p.requester ?? ""}>): ${esc(p.result ?? "")}`,
      ),
    };
  }
  if (p.status === "stale") {
    return {
      text: `Not run: ${summary}`,
      blocks: sections(
        `:no_entry_sign: *Not run:* ${summary}. The API server refused it because the workload changed: ${esc(p.result ?? "")} — ask again. Nothing was changed.`,
      ),
    };
  }
  return { text: `Failed: ${summary}`, blocks: sections(`:x: *Failed:* ${summary}: ${esc(p.result ?? "")}`) };
}

export function verifiedMessage(p: Proposal, v: Verification, onCall: string | null): ChatMessage {
  const head = v.verified
    ? `:white_check_mark: *Verified:* ${p.plan.summary}`
    : `:x: *Not verified:* ${p.plan.summary}`;
  const escalate = v.escalation
    ? `\n:rotating_light: ${onCall ? `<!subteam^${onCall}> ` : ""}escalating: ${v.escalation}`
    : "";
  return {
    text: `${v.verified ? "Verified" : "Not verified"}: ${p.plan.summary}`,
    blocks: sections(`${head}\n${v.lines.map((l) => `• ${l}`).join("\n")}${escalate}`),
  };
}

export function recheckedMessage(p: Proposal, afterSeconds: number, r: Recheck): ChatMessage {
  const after = formatDuration(afterSeconds);
  const head = r.held
    ? `:white_check_mark: *Held ${after} later:* ${p.plan.summary}`
    : `:x: *Did not hold ${after} later:* ${p.plan.summary}`;
  return {
    text: `${r.held ? "Held" : "Did not hold"} ${after} later: ${p.plan.summary}`,
    blocks: sections(`${head}\n${r.lines.map((l) => `• ${l}`).join("\n")}`),
  };
}

export function reconciledMessage(p: Proposal, inEffect: boolean | null): ChatMessage {
  const say =
    inEffect === true
      ? `:white_check_mark: *In effect:* ${p.plan.summary}. memops stopped while executing it; after restarting it found the change on the cluster and resumes the verification.`
      : inEffect === false
        ? `:x: *Not applied:* ${p.plan.summary}. memops stopped while executing it; the change is not on the cluster. Nothing was sent again: ask again if it is still wanted.`
        : `:warning: *Outcome unknown:* ${p.plan.summary}. memops stopped while executing it and cannot read this route back: check the object before asking again.`;
  return {
    text: `${inEffect === true ? "In effect" : inEffect === false ? "Not applied" : "Outcome unknown"}: ${p.plan.summary}`,
    blocks: sections(say),
  };
}

/** The parent's live summary line of the last action. */
export const lastActionLine = (p: Proposal, outcome: string): string =>
  `*Last action:* ${p.plan.summary} — approved by <@${p.decidedBy ?? ""}>, ${outcome}`;

/** The remediation use cases' messages, in Block Kit. */
export const remediationView: RemediationView = {
  card: (p, rule) => (p.status === "pending" ? approvalCard(p, rule) : decidedCard(p)),
  outcome: outcomeMessage,
  verified: verifiedMessage,
  rechecked: recheckedMessage,
  reconciled: reconciledMessage,
  lastAction: lastActionLine,
};
