/** The HTTP routes beside Slack's: /healthz, /readyz (Slack and the cluster), /metrics and, when configured, /alertmanager. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AlertmanagerPayload } from "../alerts/alertmanager-payload.ts";
import { alertmanagerRoute } from "../alerts/alertmanager-route.ts";
import type { Config } from "../config.ts";
import type { Cluster } from "../ports.ts";

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

export interface Route {
  path: string;
  method: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export function customRoutes(
  config: Config,
  d: {
    cluster: Cluster;
    slackReady: () => boolean;
    onAlerts: (p: AlertmanagerPayload) => void;
    log: Logger;
    /** memops's own metrics, Prometheus text format */
    metrics: () => Promise<{ contentType: string; body: string }>;
  },
): Route[] {
  const slack = () => (d.slackReady() ? "ok" : "auth.test has not succeeded");
  return [
    ...(config.alerts
      ? [{ path: "/alertmanager", method: "POST", handler: alertmanagerRoute(config.alerts.token, d.onAlerts, d.log) }]
      : []),
    { path: "/healthz", method: "GET", handler: (_req, res) => json(res, 200, { status: "ok" }) },
    {
      path: "/metrics",
      method: "GET",
      handler: (_req, res) => {
        d.metrics().then(
          (m) => {
            res.writeHead(200, { "content-type": m.contentType });
            res.end(m.body);
          },
          (e: unknown) => json(res, 500, { error: e instanceof Error ? e.message : String(e) }),
        );
      },
    },
    {
      path: "/readyz",
      method: "GET",
      handler: (_req, res) => {
        d.cluster.version().then(
          (version) => json(res, d.slackReady() ? 200 : 503, { slack: slack(), cluster: `ok (${version})` }),
          (e: unknown) =>
            json(res, 503, {
              slack: slack(),
              cluster: `unreachable: ${e instanceof Error ? e.message : String(e)}`,
            }),
        );
      },
    },
  ];
}
