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
