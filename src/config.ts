import * as v from "valibot";
import { parseDuration } from "./core/duration.ts";
import { checkLabelName } from "./core/k8s-names.ts";
import { type AuditKeyring, keyring, MIN_KEY_LENGTH } from "./core/audit-key.ts";
import { parsedBy } from "./core/schema-check.ts";
import { issueLines } from "./core/schema-issues.ts";

const text = (check: v.PipeItem<string, string, v.BaseIssue<unknown>>) => v.optional(v.pipe(v.string(), check));
/** A duration in seconds; its default is written as a person would ("10s"). */
const durationSeconds = (byDefault: string) => v.optional(v.pipe(v.string(), parsedBy(parseDuration)), byDefault);
const httpUrl = (message: string) =>
  v.pipe(
    v.string(),
    v.check((s) => /^https?:$/.test(URL.parse(s)?.protocol ?? ""), message),
  );

/** Every setting, its environment variable, and its default. The README's table mirrors this. */
const envSchema = v.object({
  SLACK_BOT_TOKEN: text(v.regex(/^xoxb-/, "must be a bot token (xoxb-…)")),
  SLACK_SIGNING_SECRET: text(v.minLength(16, "must be the app's signing secret (Basic Information → App Credentials)")),
  SLACK_APP_TOKEN: text(v.regex(/^xapp-/, "must be an app-level token (xapp-…); setting it turns on Socket Mode")),
  SLACK_API_URL: v.optional(httpUrl("must be an http(s) URL"), "https://slack.com/api/"),
  PORT: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,5}$/, "must be a port number (0-65535; 0 picks a free port)"),
      v.transform(Number),
      v.maxValue(65535, "must be a port number (0-65535)"),
    ),
    "3000",
  ),
  KUBECONFIG: text(v.minLength(1)),
  PROMETHEUS_URL: v.optional(httpUrl("must be an http(s) URL such as http://prometheus.monitoring:9090")),
  MEMOPS_PROMETHEUS_TIMEOUT: durationSeconds("10s"),
  MEMOPS_DEFAULT_NAMESPACE: v.optional(
    v.pipe(
      v.string(),
      v.check((s) => checkLabelName("namespace", s).ok, "must be a valid namespace name"),
    ),
    "default",
  ),
  MEMOPS_DEFAULT_WINDOW: durationSeconds("6h"),
  MEMOPS_RUNBOOKS_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), "runbooks"),
  MEMOPS_DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), "data"),
  MEMOPS_POLICY_FILE: text(v.minLength(1)),
  MEMOPS_VERIFY_WINDOW: durationSeconds("10m"),
  /** how long a replica's execution or verification watch stays its own without renewal; then another takes over */
  MEMOPS_LEASE: durationSeconds("30s"),
  MEMOPS_ALERT_TOKEN: text(
    v.minLength(16, "must be a long random secret (16+ characters); Alertmanager sends it as a bearer token"),
  ),
  MEMOPS_ALERT_CHANNEL: text(v.regex(/^[CG][A-Z0-9]{2,}$/, "must be a Slack channel id (C…)")),
  DATABASE_URL: text(v.regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")),
  /** the audit chain's HMAC key (from a Secret); without it the chain is plain SHA-256 */
  MEMOPS_AUDIT_KEY: text(
    v.minLength(MIN_KEY_LENGTH, `must be a long random secret (${MIN_KEY_LENGTH}+ characters; openssl rand -hex 32)`),
  ),
  /** keys rotated out, comma-separated: they still verify the entries written under them */
  MEMOPS_AUDIT_PREVIOUS_KEYS: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) => s.split(",").map((k) => k.trim())),
      v.check((ks) => ks.every((k) => k.length >= MIN_KEY_LENGTH), `each key must be ${MIN_KEY_LENGTH}+ characters`),
    ),
  ),
  LOG_LEVEL: v.optional(
    v.picklist(
      ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
      "must be one of trace, debug, info, warn, error, fatal, silent",
    ),
    "info",
  ),
});

export interface Config {
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl: string; socketMode: boolean };
  port: number;
  /** the interface to listen on; all of them when unset (a pod's) — the playground binds loopback */
  host?: string;
  kubeconfig?: string;
  prometheus: { url?: string; timeoutMs: number };
  defaultNamespace: string;
  defaultWindowSeconds: number;
  runbooksDir: string;
  dataDir: string;
  /** approval policy (YAML); without it memops offers no remediations */
  policyFile?: string;
  /** how long to watch a remediated workload before calling it verified */
  verifyWindowSeconds: number;
  leaseSeconds: number;
  /** the Alertmanager webhook (POST /alertmanager), when both are set */
  alerts?: { token: string; channel: string };
  databaseUrl?: string;
  /** the keys of the audit chain: the current one (new entries) and those rotated out */
  auditKeys: AuditKeyring;
  logLevel: v.InferOutput<typeof envSchema>["LOG_LEVEL"];
}

export type ConfigMode = "serve" | "cli";

/**
 * Reads configuration from an environment (never process.env directly). Returns every problem at
 * once, each naming its variable, so one start-up attempt is enough to fix them all.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  mode: ConfigMode,
): { ok: true; value: Config } | { ok: false; error: string[] } {
  // An empty variable (common in manifests) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = v.safeParse(envSchema, present);
  const errors = parsed.success ? [] : issueLines(parsed.issues);
  if (!!present["MEMOPS_ALERT_TOKEN"] !== !!present["MEMOPS_ALERT_CHANNEL"]) {
    errors.push(
      `${present["MEMOPS_ALERT_TOKEN"] ? "MEMOPS_ALERT_CHANNEL" : "MEMOPS_ALERT_TOKEN"}: alerts need both MEMOPS_ALERT_TOKEN and MEMOPS_ALERT_CHANNEL`,
    );
  }
  if (mode === "serve") {
    if (!present["SLACK_BOT_TOKEN"])
      errors.push("SLACK_BOT_TOKEN: required to serve Slack (the app's Bot User OAuth Token, xoxb-…)");
    if (!present["SLACK_APP_TOKEN"] && !present["SLACK_SIGNING_SECRET"])
      errors.push("SLACK_SIGNING_SECRET: required for the HTTP receiver (or set SLACK_APP_TOKEN for Socket Mode)");
  }
  if (!parsed.success || errors.length > 0) return { ok: false, error: errors };
  const e = parsed.output;
  return {
    ok: true,
    value: {
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: e.SLACK_API_URL,
        socketMode: !!e.SLACK_APP_TOKEN,
      },
      port: e.PORT,
      kubeconfig: e.KUBECONFIG,
      prometheus: { url: e.PROMETHEUS_URL, timeoutMs: e.MEMOPS_PROMETHEUS_TIMEOUT * 1000 },
      defaultNamespace: e.MEMOPS_DEFAULT_NAMESPACE,
      defaultWindowSeconds: e.MEMOPS_DEFAULT_WINDOW,
      runbooksDir: e.MEMOPS_RUNBOOKS_DIR,
      dataDir: e.MEMOPS_DATA_DIR,
      policyFile: e.MEMOPS_POLICY_FILE,
      verifyWindowSeconds: e.MEMOPS_VERIFY_WINDOW,
      leaseSeconds: e.MEMOPS_LEASE,
      ...(e.MEMOPS_ALERT_TOKEN && e.MEMOPS_ALERT_CHANNEL
        ? { alerts: { token: e.MEMOPS_ALERT_TOKEN, channel: e.MEMOPS_ALERT_CHANNEL } }
        : {}),
      databaseUrl: e.DATABASE_URL,
      auditKeys: keyring(e.MEMOPS_AUDIT_KEY, e.MEMOPS_AUDIT_PREVIOUS_KEYS ?? []),
      logLevel: e.LOG_LEVEL,
    },
  };
}
