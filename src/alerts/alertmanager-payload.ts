import * as v from "valibot";
import { err, ok, type Result } from "../core/result.ts";
import { issueLines } from "../core/schema-issues.ts";

const labels = v.record(v.string(), v.string());

/** Alertmanager's webhook body, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
const alert = v.object({
  status: v.picklist(["firing", "resolved"]),
  labels,
  annotations: v.optional(labels, {}),
  startsAt: v.string(),
  endsAt: v.optional(v.string()),
  generatorURL: v.optional(v.string()),
  fingerprint: v.pipe(v.string(), v.minLength(1)),
});

export const alertmanagerPayload = v.object({
  version: v.literal("4"),
  groupKey: v.string(),
  status: v.picklist(["firing", "resolved"]),
  receiver: v.string(),
  groupLabels: v.optional(labels, {}),
  commonLabels: v.optional(labels, {}),
  alerts: v.pipe(v.array(alert), v.maxLength(1000)),
});

export type AlertmanagerPayload = v.InferOutput<typeof alertmanagerPayload>;
export type Alert = AlertmanagerPayload["alerts"][number];

export function parseAlertmanager(body: unknown): Result<AlertmanagerPayload> {
  const r = v.safeParse(alertmanagerPayload, body);
  return r.success ? ok(r.output) : err(issueLines(r.issues.slice(0, 5), "(body)").join("; "));
}
