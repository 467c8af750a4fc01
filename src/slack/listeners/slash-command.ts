/**
 * /mem: parse the words, run the subcommand, answer the person. The command's own audit entry is written
 * once its outcome is known: before anything it causes is recorded, when memops refuses it (with the
 * reason), or when it has run.
 */
import type { App } from "@slack/bolt";
import type { Logger } from "pino";
import type { CommandContext } from "../../../commands/command.ts";
import type { CommandDefaults } from "../../app/diagnose-args.ts";
import { route } from "../../../commands/index.ts";
import type { AuditLog, AuditRecord } from "../../app/audit-trail.ts";
import type { IncidentDeps } from "../../app/incident-deps.ts";
import { proposeRemediation } from "../../app/request-remediation.ts";
import type { VerifierDeps } from "../../app/verify-remediation.ts";
import { type Subject, subjectOfTarget } from "../../core/subject.ts";
import type { Target } from "../../core/target.ts";
import type { ChatMessage, Directory } from "../../ports.ts";
import { excerpt } from "../../core/excerpt.ts";
import { redactSecrets } from "../../core/redact.ts";

export interface SlashCommandDeps {
  incidents: IncidentDeps;
  defaults: CommandDefaults;
  /** present with a policy: commands may ask for remediations */
  remediation: { deps: VerifierDeps; directory: Directory } | null;
  log: Logger;
  sleep: (ms: number) => Promise<void>;
}

/** The subject of a parsed command, for the audit log: its arguments' Target or Subject, or the arguments as one. */
export function targetOfArgs(args: unknown): Subject | null {
  const o = args as ({ target?: Target | Subject | null } & Partial<Target>) | null;
  const t = o?.target ?? (o?.kind && o.namespace ? (o as Target) : null);
  return t ? subjectOfTarget(t as Target) : null;
}

/** how much of a command's text its audit entry keeps */
const MAX_AUDITED_TEXT = 300;

const ephemeral = (m: ChatMessage) => ({
  response_type: "ephemeral" as const,
  text: m.text,
  ...(m.blocks.length ? { blocks: m.blocks } : {}),
});

/** The command's audit entry, written once: `settle` with its outcome, or implicitly before the first thing it causes. */
function commandEntry(audit: AuditLog, first: AuditRecord) {
  let entry: AuditRecord | null = first;
  const settle = async (outcome?: string) => {
    const e = entry;
    entry = null;
    if (e) await audit.record({ ...e, ...(outcome ? { outcome } : {}) });
  };
  const log: AuditLog = {
    record: async (r) => {
      await settle();
      return audit.record(r);
    },
    recordAll: async (rs) => {
      await settle();
      return audit.recordAll(rs);
    },
  };
  return { settle, log };
}

interface Invocation {
  user: string;
  channel: string;
  name: string;
  log: Logger;
  entry: ReturnType<typeof commandEntry>;
  respond: (m: ReturnType<typeof ephemeral> & { replace_original: false }) => Promise<unknown>;
}

/** What a subcommand may use: the incident deps with this command's audit entry first, and the ways to answer. */
function contextFor(d: SlashCommandDeps, i: Invocation): CommandContext {
  const remediation = d.remediation;
  const ctx: CommandContext = {
    user: i.user,
    channel: i.channel,
    incidents: { ...d.incidents, audit: i.entry.log, log: i.log },
    remediation: remediation
      ? {
          policy: remediation.deps.policy,
          propose: async (plan, gitOps, via) => {
            await i.entry.settle();
            const groups = await remediation.directory.groupsOf(i.user);
            return proposeRemediation(remediation.deps, plan, gitOps, via, { user: i.user, groups }, i.channel);
          },
        }
      : null,
    log: i.log.child({ command: i.name }),
    sleep: d.sleep,
    reply: async (m) => {
      await i.respond({ ...ephemeral(m), replace_original: false });
    },
    refuse: async (reason) => {
      await i.entry.settle(`refused: ${reason.split("\n")[0] ?? ""}`);
      await ctx.reply({ text: reason, blocks: [] });
    },
  };
  return ctx;
}

export function register(app: App, d: SlashCommandDeps): void {
  app.command("/mem", async ({ command, ack, respond }) => {
    const requestLog = d.log.child({
      requestId: command.trigger_id,
      user: command.user_id,
      channel: command.channel_id,
      text: command.text.slice(0, 200),
    });
    const routed = route(command.text, d.defaults);
    const entry = commandEntry(d.incidents.audit, {
      kind: "command",
      slackUser: command.user_id,
      target: routed.kind === "run" ? targetOfArgs(routed.args) : null,
      // a bounded excerpt, secrets redacted: the audit log records what was asked, not a 3 MiB paste
      what: `/mem ${excerpt(redactSecrets(command.text), MAX_AUDITED_TEXT)}`.trim(),
      outcome: routed.kind === "reply" ? `answered: ${routed.message.text.split("\n")[0] ?? ""}` : "accepted",
      details: { channel: command.channel_id },
    });
    if (routed.kind === "reply") {
      await entry.settle();
      await ack(ephemeral(routed.message));
      requestLog.info("answered with help or a usage message");
      return;
    }
    const c = routed.command;
    const ctx = contextFor(d, {
      user: command.user_id,
      channel: command.channel_id,
      name: c.name,
      log: requestLog,
      entry,
      respond,
    });
    if (c.quick) {
      const m = await c.run(routed.args, ctx);
      await entry.settle();
      await ack(m ? ephemeral(m) : undefined);
      return;
    }
    await ack();
    requestLog.info({ command: c.name }, "command accepted");
    try {
      await c.run(routed.args, ctx);
      await entry.settle();
    } catch (e) {
      requestLog.error({ err: e }, "command failed");
      await entry.settle("failed: see memops's logs").catch(() => undefined);
      await ctx.reply({
        text: `memops failed while running /mem ${c.name}; the error is in its logs (request ${command.trigger_id}).`,
        blocks: [],
      });
    }
  });
}
