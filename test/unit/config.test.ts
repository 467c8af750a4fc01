import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";

describe("loadConfig", () => {
  it("applies defaults", () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "0123456789abcdef0123" }, "serve");
    expect(c).toMatchObject({
      ok: true,
      value: {
        port: 3000,
        defaultNamespace: "default",
        defaultWindowSeconds: 21600,
        logLevel: "info",
        slack: { apiUrl: "https://slack.com/api/", socketMode: false },
        prometheus: { timeoutMs: 10000 },
      },
    });
  });

  it("names a wrong secret's variable without echoing its value", () => {
    const secrets = {
      SLACK_BOT_TOKEN: "xoxp-9999-user-token-secret",
      SLACK_SIGNING_SECRET: "short-s3cret",
      SLACK_APP_TOKEN: "xoxb-misplaced-bot-secret",
      MEMOPS_ALERT_TOKEN: "al3rt-short",
      MEMOPS_ALERT_CHANNEL: "general",
      DATABASE_URL: "mysql://memops:db-pa55word@db:3306/memops",
      MEMOPS_AUDIT_KEY: "k3y-too-short",
      MEMOPS_AUDIT_PREVIOUS_KEYS: "0123456789abcdef0123456789abcdef,old-k3y",
      PROMETHEUS_URL: "ftp://scrape:pr0m-pass@prometheus:9090",
    };
    const c = loadConfig(secrets, "serve");
    expect(c.ok).toBe(false);
    const errors = c.ok ? "" : c.error.join("\n");
    for (const name of Object.keys(secrets)) expect(errors).toContain(`${name}:`);
    for (const value of ["xoxp-9999", "s3cret", "xoxb-misplaced", "al3rt", "pa55word", "k3y", "pr0m-pass"])
      expect(errors).not.toContain(value);
  });

  it("lists every problem at once, each by its variable", () => {
    const c = loadConfig(
      {
        PORT: "eighty",
        PROMETHEUS_URL: "prometheus:9090",
        LOG_LEVEL: "loud",
        MEMOPS_DEFAULT_NAMESPACE: "Shop",
        SLACK_BOT_TOKEN: "xoxp-user",
        MEMOPS_DEFAULT_WINDOW: "6 hours",
      },
      "serve",
    );
    expect(c.ok).toBe(false);
    if (!c.ok) {
      const keys = c.error.map((e) => e.split(":")[0]);
      expect(keys).toEqual(
        expect.arrayContaining([
          "PORT",
          "PROMETHEUS_URL",
          "LOG_LEVEL",
          "MEMOPS_DEFAULT_NAMESPACE",
          "SLACK_BOT_TOKEN",
          "MEMOPS_DEFAULT_WINDOW",
          "SLACK_SIGNING_SECRET",
        ]),
      );
    }
  });

  it("Socket Mode needs an app token instead of a signing secret", () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }, "serve")).toMatchObject({
      ok: true,
      value: { slack: { socketMode: true } },
    });
  });

  it("the CLI needs no Slack settings, and empty variables count as unset", () => {
    expect(loadConfig({ PROMETHEUS_URL: "", SLACK_BOT_TOKEN: "" }, "cli")).toMatchObject({
      ok: true,
      value: { prometheus: { timeoutMs: 10000 } },
    });
  });
});
