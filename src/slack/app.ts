import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, type Receiver, SocketModeReceiver } from "@slack/bolt";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Runbook } from "../core/runbook.ts";
import type { DiagnosisDeps } from "../engine/run-diagnosis.ts";
import type { Chat, Store } from "../ports.ts";
import type { Policy } from "../core/remediation/policy.ts";
import { policyGroups } from "../load-policy.ts";
import { register as registerRemediationButtons } from "./listeners/remediation-buttons.ts";
import { Verifier, type VerifierDeps } from "../app/verify-remediation.ts";
import { expireRemediations } from "../app/expire-remediations.ts";
import { reconcileExecutions } from "../app/reconcile-executions.ts";
import { remediationView } from "./render/remediation.ts";
import { SlackDirectory } from "./slack-directory.ts";
import { register as registerIncidentButtons } from "./listeners/incident-buttons.ts";
import { register as registerSlashCommand } from "./listeners/slash-command.ts";
import type { IncidentDeps } from "../app/incident-deps.ts";
import { incidentView } from "./render/incident-view.ts";
import { svgToPng } from "../chart/svg-to-png.ts";
import { AuditTrail } from "../app/audit-trail.ts";
import type { AlertmanagerPayload } from "../alerts/alertmanager-payload.ts";
import { alertmanagerRoute } from "../alerts/alertmanager-route.ts";
import { handleAlerts } from "../app/handle-alerts.ts";
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
  const incidents: IncidentDeps = {
    audit,
    chat,
    store: deps.store,
    diagnosis: deps.diagnosis,
    runbooks: deps.runbooks,
    policy: deps.remediation?.policy ?? null,
    newId: deps.newId,
    log,
    view: incidentView,
    drawChart: svgToPng,
  };
  registerIncidentButtons(app, { ...incidents, log: log.child({ component: "incidents" }) });
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
        const directory = new SlackDirectory(
          app.client,
          policyGroups(remediation.policy),
          () => deps.diagnosis.clock.now() * 1000,
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
  registerSlashCommand(app, {
    incidents,
    defaults: { namespace: config.defaultNamespace, windowSeconds: config.defaultWindowSeconds },
    remediation: actions,
    log,
  });
  const background = new Set<Promise<void>>();
  const alerts = config.alerts;
  if (alerts) {
    const alertDeps = {
      incidents: { ...incidents, log: log.child({ component: "alerts" }) },
      clock: deps.diagnosis.clock,
      channel: alerts.channel,
      windowSeconds: config.defaultWindowSeconds,
    };
    onAlerts = (p) => {
      const task = handleAlerts(alertDeps, p).catch((e: unknown) =>
        log.error({ err: e, groupKey: p.groupKey }, "alert handling failed"),
      );
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
