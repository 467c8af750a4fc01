import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, type Receiver, SocketModeReceiver } from "@slack/bolt";
import type { Logger } from "pino";
import { route } from "../../commands/index.ts";
import type { CommandContext } from "../../commands/command.ts";
import type { Config } from "../config.ts";
import type { Runbook } from "../core/runbook.ts";
import { auditName, type Target } from "../core/target.ts";
import type { DiagnosisDeps } from "../engine/run-diagnosis.ts";
import type { Chat, ChatMessage, Store } from "../ports.ts";
import type { Policy } from "../core/remediation/policy.ts";
import { policyGroups } from "../load-policy.ts";
import { register as registerRemediationButtons } from "./listeners/remediation-buttons.ts";
import { Verifier, type VerifierDeps } from "../app/verify-remediation.ts";
import { proposeRemediation } from "../app/request-remediation.ts";
import { expireRemediations } from "../app/expire-remediations.ts";
import { reconcileExecutions } from "../app/reconcile-executions.ts";
import { remediationView } from "./render/remediation.ts";
import { SlackDirectory } from "./slack-directory.ts";
import { registerIncidentActions } from "./on-incident.ts";
import { type AuditLog, type AuditRecord, AuditTrail } from "../app/audit-trail.ts";
import type { AlertmanagerPayload } from "../alerts/alertmanager-payload.ts";
import { alertmanagerRoute } from "../alerts/alertmanager-route.ts";
import { handleAlerts } from "../alerts/on-alerts.ts";
import { boltLogger } from "./bolt-logger.ts";
import { SlackChat } from "./slack-chat.ts";

export interface SlackAppDeps {
  diagnosis: DiagnosisDeps;
  runbooks: readonly Runbook[];
  log: Logger;
  /** proposals, parent messages and the audit log */
  store: Store;
  newId: () => string;
  /** waits between verification polls (tests pass a fake one) */
  sleep?: (ms: number) => Promise<void>;
  /** remediation behind approval; null when no policy is configured */
  remediation: { policy: Policy } | null;
}

export interface RunningApp {
  app: App;
  /** records expired approval requests and updates their cards (also runs every 30 s) */
  sweepExpired(): Promise<void>;
  /** takes over verification watches and reconciles executions a stopped replica left behind (also runs every 10 s) */
  resumeWatches(): Promise<void>;
  /** resolves when background work (alert diagnoses, verifications) has finished */
  idle(): Promise<void>;
  /** the HTTP port actually listened on (PORT=0 picks a free one) */
  port: number;
  stop(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/** The target of a parsed command, for the audit log: a Target, arguments with one, or its audit name already. */
export function targetOfArgs(args: unknown): string | null {
  const o = args as ({ target?: Target | string | null } & Partial<Target>) | null;
  if (typeof o?.target === "string") return o.target;
  const t = o?.target ?? (o?.kind && o.namespace ? (o as Target) : null);
  return t ? auditName(t) : null;
}

const ephemeral = (m: ChatMessage) => ({
  response_type: "ephemeral" as const,
  text: m.text,
  ...(m.blocks.length ? { blocks: m.blocks } : {}),
});

/** The Bolt app: /mem routed to the commands, /healthz and /readyz, HTTP or Socket Mode by config. */
export async function startSlackApp(config: Config, deps: SlackAppDeps): Promise<RunningApp> {
  const log = deps.log;
  let slackReady = false;
  let onAlerts: (p: AlertmanagerPayload) => void = () => undefined;
  const alertRoutes = config.alerts
    ? [
        {
          path: "/alertmanager",
          method: "POST",
          handler: alertmanagerRoute(config.alerts.token, (p) => onAlerts(p), log),
        },
      ]
    : [];
  const customRoutes = [
    ...alertRoutes,
    {
      path: "/healthz",
      method: "GET",
      handler: (_req: IncomingMessage, res: ServerResponse) => json(res, 200, { status: "ok" }),
    },
    {
      path: "/readyz",
      method: "GET",
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        deps.diagnosis.cluster.version().then(
          (version) =>
            json(res, slackReady ? 200 : 503, {
              slack: slackReady ? "ok" : "auth.test has not succeeded",
              cluster: `ok (${version})`,
            }),
          (e: unknown) =>
            json(res, 503, {
              slack: slackReady ? "ok" : "auth.test has not succeeded",
              cluster: `unreachable: ${e instanceof Error ? e.message : String(e)}`,
            }),
        );
      },
    },
  ];
  const logger = boltLogger(log);
  const receiver: Receiver = config.slack.socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken ?? "",
        customRoutes,
        installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
        logger,
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret ?? "",
        endpoints: "/slack/events",
        customRoutes,
        logger,
        processBeforeResponse: false,
        unhandledRequestTimeoutMillis: 2500,
      });
  const app = new App({
    token: config.slack.botToken ?? "",
    receiver,
    logger,
    clientOptions: {
      slackApiUrl: config.slack.apiUrl,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    },
  });
  const chat: Chat = new SlackChat(app.client);
  const audit = new AuditTrail(deps.store, deps.diagnosis.clock, log);
  const defaults = { namespace: config.defaultNamespace, windowSeconds: config.defaultWindowSeconds };

  app.command("/mem", async ({ command, ack, respond }) => {
    const requestLog = log.child({
      requestId: command.trigger_id,
      user: command.user_id,
      channel: command.channel_id,
      text: command.text.slice(0, 200),
    });
    const routed = route(command.text, defaults);
    // The command's own entry is written once its outcome is known: before anything it causes is recorded,
    // when memops refuses it (with the reason), or when it has run.
    let entry: AuditRecord | null = {
      kind: "command",
      slackUser: command.user_id,
      target: routed.kind === "run" ? targetOfArgs(routed.args) : null,
      what: `/mem ${command.text}`.trim(),
      outcome: routed.kind === "reply" ? `answered: ${routed.message.text.split("\n")[0] ?? ""}` : "accepted",
      details: { channel: command.channel_id },
    };
    const settle = async (outcome?: string) => {
      const e = entry;
      entry = null;
      if (e) await audit.record({ ...e, ...(outcome ? { outcome } : {}) });
    };
    const commandAudit: AuditLog = {
      record: async (r) => {
        await settle();
        return audit.record(r);
      },
    };
    if (routed.kind === "reply") {
      await settle();
      await ack(ephemeral(routed.message));
      requestLog.info("answered with help or a usage message");
      return;
    }
    const c = routed.command;
    const ctx: CommandContext = {
      user: command.user_id,
      channel: command.channel_id,
      runbooks: deps.runbooks,
      chat,
      diagnosis: deps.diagnosis,
      store: deps.store,
      newId: deps.newId,
      audit: commandAudit,
      remediation: actions
        ? {
            policy: actions.deps.policy,
            propose: async (plan, gitOps, route) => {
              await settle();
              return proposeRemediation(
                actions.deps,
                plan,
                gitOps,
                route,
                { user: command.user_id, groups: await actions.directory.groupsOf(command.user_id) },
                command.channel_id,
              );
            },
          }
        : null,
      log: requestLog.child({ command: c.name }),
      reply: async (m) => {
        await respond({ ...ephemeral(m), replace_original: false });
      },
      refuse: async (reason) => {
        await settle(`refused: ${reason.split("\n")[0] ?? ""}`);
        await ctx.reply({ text: reason, blocks: [] });
      },
    };
    if (c.quick) {
      const m = await c.run(routed.args, ctx);
      await settle();
      await ack(m ? ephemeral(m) : undefined);
      return;
    }
    await ack();
    requestLog.info({ command: c.name }, "command accepted");
    try {
      await c.run(routed.args, ctx);
      await settle();
    } catch (e) {
      requestLog.error({ err: e }, "command failed");
      await settle("failed: see memops's logs").catch(() => undefined);
      await ctx.reply({
        text: `memops failed while running /mem ${c.name}; the error is in its logs (request ${command.trigger_id}).`,
        blocks: [],
      });
    }
  });

  registerIncidentActions(app, {
    store: deps.store,
    chat,
    clock: deps.diagnosis.clock,
    audit,
    log: log.child({ component: "incidents" }),
  });
  const remediation = deps.remediation;
  const actions = remediation
    ? ((): { deps: VerifierDeps; verifier: Verifier; directory: SlackDirectory } => {
        const rdeps: VerifierDeps = {
          newId: deps.newId,
          audit,
          metrics: deps.diagnosis.metrics,
          sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
          replicaId: deps.newId(),
          leaseSeconds: config.leaseSeconds,
          view: remediationView,
          verify: {
            windowSeconds: config.verifyWindowSeconds,
            pollSeconds: 5,
            rolloutTimeoutSeconds: Math.max(300, config.verifyWindowSeconds),
          },
          cluster: deps.diagnosis.cluster,
          store: deps.store,
          clock: deps.diagnosis.clock,
          policy: remediation.policy,
          chat,
          log: log.child({ component: "remediation" }),
        };
        const directory = new SlackDirectory(app.client, policyGroups(remediation.policy), () =>
          deps.diagnosis.clock.now(),
        );
        const verifier = new Verifier(rdeps);
        registerRemediationButtons(app, { remediation: rdeps, verifier, directory });
        return { deps: rdeps, verifier, directory };
      })()
    : null;
  /** Recovers what a stopped replica left: verification watches whose lease ran out, executions with no outcome. */
  const recover = async () => {
    if (!actions) return;
    await actions.verifier.resume();
    await reconcileExecutions(actions.deps, actions.verifier);
  };
  const sweepExpired = async () => {
    if (actions) await expireRemediations(actions.deps);
  };
  const background = new Set<Promise<void>>();
  const alerts = config.alerts;
  if (alerts) {
    const thread = {
      audit,
      chat,
      store: deps.store,
      diagnosis: deps.diagnosis,
      runbooks: deps.runbooks,
      policy: deps.remediation?.policy ?? null,
      newId: deps.newId,
      log: log.child({ component: "alerts" }),
    };
    onAlerts = (p) => {
      const task = handleAlerts(
        {
          thread,
          chat,
          store: deps.store,
          clock: deps.diagnosis.clock,
          audit,
          channel: alerts.channel,
          windowSeconds: config.defaultWindowSeconds,
          log,
        },
        p,
      ).catch((e: unknown) => log.error({ err: e, groupKey: p.groupKey }, "alert handling failed"));
      background.add(task);
      void task.finally(() => background.delete(task));
    };
  }
  const sweepTimer = setInterval(() => {
    sweepExpired().catch((e: unknown) => log.error({ err: e }, "expiry sweep failed"));
  }, 30_000);
  sweepTimer.unref();
  const watchTimer = setInterval(() => {
    recover().catch((e: unknown) => log.error({ err: e }, "recovering watches and executions failed"));
  }, 10_000);
  watchTimer.unref();

  app.error(async (e) => {
    log.error({ err: e }, "unhandled error in the Slack app");
  });

  const server = await app.start(config.port);
  const auth = await app.client.auth.test();
  slackReady = auth.ok === true;
  log.info({ botUser: auth.user_id, team: auth.team_id, socketMode: config.slack.socketMode }, "Slack app started");
  const address = server && typeof server === "object" && "address" in server ? server.address() : null;
  const port = address && typeof address === "object" ? address.port : config.port;
  await recover().catch((e: unknown) => log.error({ err: e }, "recovering watches and executions at start-up failed"));
  return {
    app,
    port,
    sweepExpired,
    idle: async () => {
      while (background.size > 0) await Promise.all([...background]);
      await actions?.verifier.idle();
    },
    stop: () => {
      clearInterval(sweepTimer);
      clearInterval(watchTimer);
      actions?.verifier.abort();
      return app.stop().then(() => undefined);
    },
    resumeWatches: recover,
  };
}
