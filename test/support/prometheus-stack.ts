/**
 * Real Prometheus and Alertmanager (Debian packages) on free loopback ports with their own data
 * directories. Prometheus starts on blocks backfilled from the integration world with promtool;
 * Alertmanager sends to a webhook receiver that appends each notification to a file.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { openMetrics } from "./integration-world.ts";
import { freePort, type ProcessGroup, waitUntil } from "./processes.ts";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";
export const PROMTOOL_BIN = "/usr/bin/promtool";
export const ALERTMANAGER_BIN = "/usr/bin/prometheus-alertmanager";

/** The bearer token Alertmanager sends to memops in the integration tier. */
export const ALERT_TOKEN = "integration-alertmanager-token-0123456789";

export interface PrometheusStack {
  /** where Alertmanager delivers to memops (a test starts memops on this port) */
  memopsAlertPort: number;
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** one JSON Alertmanager webhook payload per line */
  alertsFile: string;
  receiver: Server;
}

/** The common "usage over 80% of limit" rule (memory-analysis.md), firing at once for the tests. */
const RULES = `groups:
- name: memops-test
  interval: 1s
  rules:
  - alert: ContainerHighMemory
    expr: max by (namespace,pod,container)(container_memory_working_set_bytes{container!="",image!=""}) / on(namespace,pod,container) max by (namespace,pod,container)(kube_pod_container_resource_limits{resource="memory"}) > 0.8
    labels: { severity: warning }
    annotations: { summary: "{{ $labels.namespace }}/{{ $labels.pod }} {{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit" }
`;

/**
 * `scrape`: live targets besides the backfilled world, scraped every second with their own labels kept
 * (`honor_labels`: they export `namespace` and `pod` as a pod's metrics would carry them).
 */
export async function startPrometheusStack(
  group: ProcessGroup,
  dir: string,
  end: number,
  scrape: readonly { job: string; target: string }[] = [],
): Promise<PrometheusStack> {
  // A previous run's blocks would overlap this run's and be merged into every query.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "prometheus"), { recursive: true });
  mkdirSync(join(dir, "alertmanager"), { recursive: true });
  const metricsFile = join(dir, "world.om.txt");
  writeFileSync(metricsFile, openMetrics(end));
  execFileSync(
    PROMTOOL_BIN,
    ["tsdb", "create-blocks-from", "openmetrics", "--quiet", metricsFile, join(dir, "prometheus")],
    { stdio: "pipe" },
  );

  const alertsFile = join(dir, "alerts.jsonl");
  writeFileSync(alertsFile, "");
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      appendFileSync(alertsFile, `${body.replace(/\n/g, " ")}\n`);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  const receiverPort = (receiver.address() as AddressInfo).port;

  const [promPort, amPort, memopsAlertPort] = [await freePort(), await freePort(), await freePort()];
  // memops may start after the first notification: Alertmanager repeats to it often, and memops dedupes.
  writeFileSync(
    join(dir, "alertmanager.yml"),
    `route:
  receiver: webhook
  group_by: [alertname, namespace]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
  routes:
  - receiver: memops
    continue: true
    repeat_interval: 10s
  - receiver: webhook
receivers:
- name: webhook
  webhook_configs:
  - url: http://127.0.0.1:${receiverPort}/alerts
    send_resolved: true
- name: memops
  webhook_configs:
  - url: http://127.0.0.1:${memopsAlertPort}/alertmanager
    send_resolved: true
    http_config:
      authorization: { type: Bearer, credentials: ${ALERT_TOKEN} }
`,
  );
  const am = group.start(
    "alertmanager",
    ALERTMANAGER_BIN,
    [
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "alertmanager")}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      "--cluster.listen-address=",
    ],
    join(dir, "alertmanager.log"),
  );
  writeFileSync(join(dir, "rules.yml"), RULES);
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:
  evaluation_interval: 1s
rule_files: [${join(dir, "rules.yml")}]
alerting:
  alertmanagers:
  - static_configs:
    - targets: ["127.0.0.1:${amPort}"]
${
  scrape.length
    ? `scrape_configs:\n${scrape
        .map(
          (s) =>
            `- job_name: ${s.job}\n  scrape_interval: 1s\n  honor_labels: true\n  static_configs:\n  - targets: ["${s.target}"]\n`,
        )
        .join("")}`
    : ""
}`,
  );
  const prom = group.start(
    "prometheus",
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "prometheus")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      "--storage.tsdb.retention.time=30d",
      // The first evaluation can run before Alertmanager discovery syncs (those alerts are dropped): re-send soon.
      "--rules.alert.resend-delay=2s",
    ],
    join(dir, "prometheus.log"),
  );
  const prometheusUrl = `http://127.0.0.1:${promPort}`;
  const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
  await waitUntil("alertmanager", async () => (await fetch(`${alertmanagerUrl}/-/ready`)).ok, 30_000, am);
  await waitUntil("prometheus", async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, 60_000, prom);
  return { prometheusUrl, alertmanagerUrl, alertsFile, receiver, memopsAlertPort };
}
