/**
 * Imported first by the Slack app, before Bolt and prom-client load: what they require at load but
 * memops uses only on request — Socket Mode's client (and undici with it) when the app runs over HTTP,
 * the OAuth installer (jsonwebtoken, semver) that a single-workspace bot never uses, OpenTelemetry for
 * exemplars memops does not enable.
 */
import { deferRequire } from "../defer-require.ts";

deferRequire("@slack/bolt/dist/receivers/SocketModeReceiver.js", "@slack/socket-mode");
deferRequire("@slack/bolt/dist/receivers/HTTPReceiver.js", "@slack/oauth");
deferRequire("prom-client/lib/metrics/processCpuTotal.js", "@opentelemetry/api");
