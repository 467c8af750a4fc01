import "./unused-at-start.ts";
import { createRequire } from "node:module";
import type { App, Receiver } from "@slack/bolt";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Runbook } from "../core/runbook.ts";
import type { DiagnosisDeps } from "../engine/run-diagnosis.ts";
import type { Chat, Store, Telemetry } from "../ports.ts";
import { PromTelemetry } from "../metrics/prom-telemetry.ts";
import { countingFetch } from "./instrument-client.ts";
import type { Policy } from "../core/remediation/policy.ts";
import { expireRemediations } from "../app/expire-remediations.ts";
import { reconcileExecutions } from "../app/reconcile-executions.ts";
import { register as registerIncidentButtons } from "./listeners/incident-buttons.ts";
import { register as registerWatchButtons } from "./listeners/watch-buttons.ts";
import { register as registerProfileButton } from "./listeners/profile-button.ts";
import { register as registerSlashCommand } from "./listeners/slash-command.ts";
import type { IncidentDeps } from "../app/incident-deps.ts";
import { incidentView } from "./render/incident-view.ts";
import { drawChart } from "../chart/draw-chart.ts";
import { AuditTrail } from "../app/audit-trail.ts";
import type { AlertmanagerPayload } from "../alerts/alertmanager-payload.ts";
import { handleAlerts } from "../app/handle-alerts.ts";
import { boltLogger } from "./bolt-logger.ts";
import { onceOnly, refuseFutureTimestamps, signedRequestProperties } from "./request-guard.ts";
import { wireRemediation } from "./remediation-wiring.ts";
import { customRoutes, type Route } from "./routes.ts";
import { SlackChat } from "./slack-chat.ts";
import { type WatchPass, watchFleet } from "../app/watch-fleet.ts";
import { postDigest } from "../app/post-digest.ts";
import { takeSecondProfiles } from "../app/second-heap-profile.ts";
import { stoppable } from "../app/stopping.ts";

// Bolt's own modules, not its index: the index loads every receiver it exports (Express and its body
// parsers, AWS Lambda) and, for ES module import, reads every export — OAuth's installer with
// jsonwebtoken among them — for a process that uses one receiver and no OAuth (BENCHMARKS.md, issue 13).
// (required, not imported: ES module interop of their `exports.default` differs between Node and Vite)
const requireCjs = createRequire(import.meta.url);
const { default: BoltApp } = requireCjs("@slack/bolt/dist/App.js") as typeof import("@slack/bolt/dist/App.js");
const { default: HTTPReceiver } = requireCjs(
  "@slack/bolt/dist/receivers/HTTPReceiver.js",
) as typeof import("@slack/bolt/dist/receivers/HTTPReceiver.js");
const { default: SocketModeReceiver } = requireCjs(
  "@slack/bolt/dist/receivers/SocketModeReceiver.js",
) as typeof import("@slack/bolt/dist/receivers/SocketModeReceiver.js");

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
  /** resolves when the work in flight (requests' listeners, alert diagnoses, verifications) has finished */
  idle(): Promise<void>;
  /** the day- and week-later re-checks of executed fixes that are due (also runs every minute); how many were reported */
  recheckFixes(): Promise<number>;
  /** the second heap profiles of comparisons whose process stopped during the wait (also runs every 10 s); how many were posted */
  secondProfiles(): Promise<number>;
  /** posts each watch channel's digest that is due (also runs every hour) */
  digests(): Promise<void>;
  /** one pass of the fleet watch (also runs every `watch.every`); null when the policy has no `watch:` */
  watchFleet(): Promise<WatchPass | null>;
  /** the HTTP port actually listened on (PORT=0 picks a free one) */
  port: number;
  /**
   * Takes no more requests, stops the timers and verification watches (another replica or the next
   * start takes them over), ends the waits of `--compare` (on record, taken over the same way), and
   * resolves once the work in flight has finished — at most `drainMs`, 20 s unless given — so the
   * store can close under nothing.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
}

/**
 * Work in flight, counted until it settles: a request's listeners (which run on after Slack's ack),
 * work a request starts that outlives it (an alert's diagnoses), and — in a set of their own, which
 * `RunningApp.idle` does not wait for — the timers' runs. `stop` waits for both before the store
 * closes: a command caught by SIGTERM finishes and is recorded.
 */
class InFlight {
  readonly #running = new Set<Promise<unknown>>();

  /** `work`, counted until it settles; its outcome is the caller's */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.finally(() => this.#running.delete(settled));
    return work;
  }

  run(task: Promise<void>, onError: (e: unknown) => void): void {
    void this.track(task.catch(onError));
  }

  get size(): number {
    return this.#running.size;
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}

/** How long `stop` waits for work in flight: inside Kubernetes' default 30 s grace period. */
const DRAIN_MS = 20_000;

/** Periodic work, each on its own timer that keeps no process alive; a failure is logged, the next run tries again. */
function every(log: Logger, inFlight: InFlight, jobs: { seconds: number; what: string; run: () => Promise<void> }[]) {
  const timers = jobs.map((j) => {
    const t = setInterval(() => {
      inFlight.run(j.run(), (e: unknown) => log.error({ err: e }, `${j.what} failed`));
    }, j.seconds * 1000);
    t.unref();
    return t;
  });
  return { stop: () => timers.forEach(clearInterval) };
}

/** Bolt with the HTTP receiver (request signatures) or Socket Mode, by config, and memops's routes beside it. */
function boltApp(
  config: Config,
  routes: Route[],
  store: Store,
  log: Logger,
  telemetry: Telemetry,
  inFlight: InFlight,
): App {
  const logger = boltLogger(log);
  const wallClock = () => Date.now() / 1000; // as Bolt's own timestamp check: Slack's clock, not the app's
  const http = config.slack.socketMode
    ? null
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret ?? "",
        endpoints: "/slack/events",
        customRoutes: routes,
        logger,
        processBeforeResponse: false,
        unhandledRequestTimeoutMillis: 2500,
        customPropertiesExtractor: signedRequestProperties,
      });
  if (http) refuseFutureTimestamps(http, wallClock, log);
  const receiver: Receiver =
    http ??
    new SocketModeReceiver({
      appToken: config.slack.appToken ?? "",
      customRoutes: routes,
      installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
      logger,
    });
  const app = new BoltApp({
    token: config.slack.botToken ?? "",
    receiver,
    logger,
    clientOptions: {
      slackApiUrl: config.slack.apiUrl,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
      fetch: countingFetch(telemetry, config.slack.apiUrl),
    },
  });
  // first: a request's listeners are in flight until they end, whatever the middleware after decides
  app.use(({ next }) => inFlight.track(next()));
  app.use(onceOnly(store, wallClock, log));
  return app;
}

function incidentDeps(deps: SlackAppDeps, chat: Chat, audit: AuditTrail, telemetry: Telemetry): IncidentDeps {
  return {
    telemetry,
    audit,
    chat,
    store: deps.store,
    diagnosis: deps.diagnosis,
    runbooks: deps.runbooks,
    policy: deps.remediation?.policy ?? null,
    newId: deps.newId,
    log: deps.log,
    view: incidentView,
    drawChart: async (scene) => drawChart(scene),
  };
}

/** Alertmanager's notifications, handled in the background: the webhook answers at once. */
function alertHandler(config: Config, channel: string, incidents: IncidentDeps, background: InFlight) {
  const log = incidents.log;
  const alertDeps = {
    incidents: { ...incidents, log: log.child({ component: "alerts" }) },
    clock: incidents.diagnosis.clock,
    channel,
    windowSeconds: config.defaultWindowSeconds,
  };
  return (p: AlertmanagerPayload) =>
    background.run(handleAlerts(alertDeps, p), (e) =>
      log.error({ err: e, groupKey: p.groupKey }, "alert handling failed"),
    );
}

/** Starts listening and checks the bot token; the port is the one bound (config.port 0 picks a free one). */
async function listen(app: App, config: Config, log: Logger): Promise<{ port: number; ready: boolean }> {
  // HTTP mode listens where config says (the playground: loopback only); Socket Mode's routes on its port
  const server = await (config.host && !config.slack.socketMode
    ? app.start({ port: config.port, host: config.host })
    : app.start(config.port));
  const auth = await app.client.auth.test();
  log.info({ botUser: auth.user_id, team: auth.team_id, socketMode: config.slack.socketMode }, "Slack app started");
  const address = server && typeof server === "object" && "address" in server ? server.address() : null;
  return { port: address && typeof address === "object" ? address.port : config.port, ready: auth.ok === true };
}

/** The Bolt app: /mem routed to the commands, /healthz and /readyz, HTTP or Socket Mode by config. */
export async function startSlackApp(config: Config, deps: SlackAppDeps): Promise<RunningApp> {
  const log = deps.log;
  const stopping = new AbortController();
  const sleep = stoppable(deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))), stopping.signal);
  let slackReady = false;
  let onAlerts: (p: AlertmanagerPayload) => void = () => undefined;
  const telemetry = new PromTelemetry();
  const routes = customRoutes(config, {
    cluster: deps.diagnosis.cluster,
    slackReady: () => slackReady,
    onAlerts: (p) => onAlerts(p),
    log,
    metrics: () => telemetry.text(),
  });
  const inFlight = new InFlight();
  const app = boltApp(config, routes, deps.store, log, telemetry, inFlight);
  const chat: Chat = new SlackChat(app.client);
  const audit = new AuditTrail(deps.store, deps.diagnosis.clock, log, telemetry);
  const incidents = incidentDeps(deps, chat, audit, telemetry);
  registerIncidentButtons(app, { ...incidents, log: log.child({ component: "incidents" }) });
  registerProfileButton(app, { ...incidents, log: log.child({ component: "profiles" }) }, sleep);
  registerWatchButtons(app, { ...incidents, log: log.child({ component: "watch" }) });
  const actions = deps.remediation ? wireRemediation(app, config, { ...deps, ...deps.remediation, chat, audit }) : null;
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
    sleep,
    log,
  });
  if (config.alerts) onAlerts = alertHandler(config, config.alerts.channel, incidents, inFlight);
  const recheck = async () => (actions ? actions.verifier.recheckDue() : 0);
  const replica = deps.newId();
  const secondProfiles = () => takeSecondProfiles({ incidents, sleep }, replica);
  const watchConfig = deps.remediation?.policy.watch;
  const metrics = deps.diagnosis.metrics;
  const watchOwner = deps.newId();
  const watch = async (): Promise<WatchPass | null> =>
    watchConfig && metrics ? watchFleet({ incidents, metrics, config: watchConfig, owner: watchOwner }) : null;
  /** each watch channel's digest when it is due: a lease per channel that lasts until the next one */
  const digests = async () => {
    if (!watchConfig) return;
    const now = deps.diagnosis.clock.now();
    for (const [channel, targets] of Map.groupBy(watchConfig.targets, (t) => t.channel)) {
      // a fresh owner each time: the lease is taken only once the last digest's has run out
      if (!(await deps.store.tryLease(`digest:${channel}`, deps.newId(), now, now + watchConfig.digestEvery))) continue;
      const posted = await postDigest(
        { incidents, metrics, maxFactor: deps.remediation?.policy.maxLimitFactor ?? 2 },
        channel,
        targets,
      );
      if (!posted.ok) log.warn({ channel, reason: posted.error }, "the weekly digest could not be posted");
    }
  };
  if (watchConfig && !metrics) log.warn("the policy has a watch: section, but Prometheus is not configured: no watch");
  const timerRuns = new InFlight();
  const timers = every(log, timerRuns, [
    ...(watchConfig && metrics
      ? [
          { seconds: watchConfig.every, what: "fleet watch", run: async () => void (await watch()) },
          { seconds: 3600, what: "weekly digest", run: digests },
        ]
      : []),
    { seconds: 30, what: "expiry sweep", run: sweepExpired },
    { seconds: 60, what: "re-checking executed fixes", run: async () => void (await recheck()) },
    { seconds: 10, what: "recovering watches and executions", run: recover },
    { seconds: 10, what: "taking due second heap profiles", run: async () => void (await secondProfiles()) },
    { seconds: 300, what: "witnessing the audit head", run: () => audit.witnessHead() },
  ]);

  app.error(async (e) => {
    log.error({ err: e }, "unhandled error in the Slack app");
  });

  const { port, ready } = await listen(app, config, log);
  slackReady = ready;
  await recover().catch((e: unknown) => log.error({ err: e }, "recovering watches and executions at start-up failed"));
  await audit.witnessHead().catch((e: unknown) => log.error({ err: e }, "witnessing the audit head failed"));
  await secondProfiles().catch((e: unknown) => log.error({ err: e }, "taking due second heap profiles failed"));
  return {
    app,
    port,
    sweepExpired,
    idle: async () => {
      await inFlight.idle();
      await actions?.verifier.idle();
    },
    stop: async ({ drainMs = DRAIN_MS } = {}) => {
      timers.stop();
      actions?.verifier.abort();
      stopping.abort();
      await app.stop(); // no new requests; those in flight go on
      // a timer's run is waited for here, not by `idle`: a take-over of verification watches runs for minutes
      const drained = await Promise.race([
        Promise.all([inFlight.idle(), timerRuns.idle()]).then(() => true),
        new Promise<false>((r) => setTimeout(r, drainMs, false).unref()),
      ]);
      if (!drained)
        log.warn({ inFlight: inFlight.size + timerRuns.size, waitedMs: drainMs }, "stopping with work still in flight");
      await actions?.verifier.idle();
    },
    resumeWatches: recover,
    watchFleet: watch,
    recheckFixes: recheck,
    secondProfiles,
    digests,
  };
}
