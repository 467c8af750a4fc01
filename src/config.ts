import { z } from "zod";
import { parseDuration } from "./core/duration.ts";
import { checkLabelName } from "./core/k8s-names.ts";
import { type AuditKeyring, keyring, MIN_KEY_LENGTH } from "./core/audit-key.ts";

const optional = <T extends z.ZodType>(t: T) => t.optional();
const durationSeconds = z.string().transform((s, ctx) => {
  const d = parseDuration(s);
  if (!d.ok) ctx.addIssue({ code: "custom", message: d.error });
  return d.ok ? d.value : 0;
});

/** Every setting, its environment variable, and its default. The README's table mirrors this. */
const envSchema = z.object({
  SLACK_BOT_TOKEN: optional(z.string().regex(/^xoxb-/, "must be a bot token (xoxb-…)")),
  SLACK_SIGNING_SECRET: optional(
    z.string().min(16, "must be the app's signing secret (Basic Information → App Credentials)"),
  ),
  SLACK_APP_TOKEN: optional(
    z.string().regex(/^xapp-/, "must be an app-level token (xapp-…); setting it turns on Socket Mode"),
  ),
  SLACK_API_URL: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).default("https://slack.com/api/"),
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, "must be a port number (0-65535; 0 picks a free port)")
    .transform(Number)
    .pipe(z.number().max(65535, "must be a port number (0-65535)"))
    .default(3000),
  KUBECONFIG: optional(z.string().min(1)),
  PROMETHEUS_URL: optional(
    z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://prometheus.monitoring:9090" }),
  ),
  MEMOPS_PROMETHEUS_TIMEOUT: durationSeconds.default(10),
  MEMOPS_DEFAULT_NAMESPACE: z
    .string()
    .refine((s) => checkLabelName("namespace", s).ok, "must be a valid namespace name")
    .default("default"),
  MEMOPS_DEFAULT_WINDOW: durationSeconds.default(6 * 3600),
  MEMOPS_RUNBOOKS_DIR: z.string().min(1).default("runbooks"),
  MEMOPS_DATA_DIR: z.string().min(1).default("data"),
  MEMOPS_POLICY_FILE: optional(z.string().min(1)),
  MEMOPS_VERIFY_WINDOW: durationSeconds.default(600),
  /** how long a replica's execution or verification watch stays its own without renewal; then another takes over */
  MEMOPS_LEASE: durationSeconds.default(30),
  MEMOPS_ALERT_TOKEN: optional(
    z.string().min(16, "must be a long random secret (16+ characters); Alertmanager sends it as a bearer token"),
  ),
  MEMOPS_ALERT_CHANNEL: optional(z.string().regex(/^[CG][A-Z0-9]{2,}$/, "must be a Slack channel id (C…)")),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")),
  /** the audit chain's HMAC key (from a Secret); without it the chain is plain SHA-256 */
  MEMOPS_AUDIT_KEY: optional(
    z
      .string()
      .min(MIN_KEY_LENGTH, `must be a long random secret (${MIN_KEY_LENGTH}+ characters; openssl rand -hex 32)`),
  ),
  /** keys rotated out, comma-separated: they still verify the entries written under them */
  MEMOPS_AUDIT_PREVIOUS_KEYS: optional(
    z
      .string()
      .transform((s) => s.split(",").map((k) => k.trim()))
      .refine((ks) => ks.every((k) => k.length >= MIN_KEY_LENGTH), `each key must be ${MIN_KEY_LENGTH}+ characters`),
  ),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
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
  logLevel: z.output<typeof envSchema>["LOG_LEVEL"];
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
  const parsed = envSchema.safeParse(present);
  const errors = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
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
  const e = parsed.data;
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
