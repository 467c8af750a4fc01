import { z } from "zod";
import { err, ok, type Result } from "../core/result.ts";

/** Alertmanager's webhook body, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
const alert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1),
});

export const alertmanagerPayload = z.object({
  version: z.literal("4"),
  groupKey: z.string(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: z.record(z.string(), z.string()).default({}),
  commonLabels: z.record(z.string(), z.string()).default({}),
  alerts: z.array(alert).max(1000),
});

export type AlertmanagerPayload = z.output<typeof alertmanagerPayload>;
export type Alert = AlertmanagerPayload["alerts"][number];

export function parseAlertmanager(body: unknown): Result<AlertmanagerPayload> {
  const r = alertmanagerPayload.safeParse(body);
  return r.success
    ? ok(r.data)
    : err(
        r.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`)
          .join("; "),
      );
}
