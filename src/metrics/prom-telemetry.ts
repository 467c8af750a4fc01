/**
 * memops's own metrics in Prometheus format (prom-client), on a registry of its own (never the global
 * one: several apps can run in one process). Outcomes are coarse classes, not free text, so the number
 * of series stays bounded.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import type { Telemetry } from "../ports.ts";

/** The words audit outcomes start with; anything else is "other" (labels stay a small, fixed set). */
const OUTCOME_WORDS = new Set([
  "ok",
  "refused",
  "failed",
  "approved",
  "denied",
  "expired",
  "superseded",
  "verified",
  "escalated",
  "accepted",
  "answered",
  "diagnosing",
  "resolved",
  "repeat",
]);

/** "ok: patched" → ok; "refused: …" → refused; "approved, 1 more needed" → approved; else "other" */
function outcomeClass(outcome: string): string {
  const word = /^[a-z]+/i.exec(outcome)?.[0]?.toLowerCase() ?? "";
  return OUTCOME_WORDS.has(word) ? word : "other";
}

export class PromTelemetry implements Telemetry {
  readonly registry = new Registry();
  readonly #diagnoses = new Histogram({
    name: "memops_diagnosis_duration_seconds",
    help: "Diagnoses from start to report, by outcome",
    labelNames: ["outcome"],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly #steps = new Histogram({
    name: "memops_diagnosis_step_duration_seconds",
    help: "Runbook steps, by kind and status (ok, unavailable)",
    labelNames: ["step", "status"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly #slack = new Counter({
    name: "memops_slack_api_calls_total",
    help: "Slack Web API calls by method and outcome (ok, error, ratelimited)",
    labelNames: ["method", "outcome"],
    registers: [this.registry],
  });
  readonly #audit = new Counter({
    name: "memops_audit_entries_total",
    help: "Audit entries by kind and outcome: approvals, executions (mutation), verifications, commands, alerts",
    labelNames: ["kind", "outcome"],
    registers: [this.registry],
  });
  readonly #store = new Histogram({
    name: "memops_audit_append_seconds",
    help: "How long the store took to append audit entries durably",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly #alerts = new Counter({
    name: "memops_alerts_received_total",
    help: "Alerts received from Alertmanager, by status",
    labelNames: ["status"],
    registers: [this.registry],
  });

  constructor() {
    // process memory (resident, heap), CPU, event-loop lag, GC
    collectDefaultMetrics({ register: this.registry, prefix: "memops_" });
  }

  diagnosis(
    outcome: "ok" | "failed",
    seconds: number,
    steps: readonly { kind: string; status: string; seconds: number }[],
  ) {
    this.#diagnoses.observe({ outcome }, seconds);
    for (const s of steps) this.#steps.observe({ step: s.kind, status: s.status }, s.seconds);
  }

  slackCall(method: string, outcome: "ok" | "error" | "ratelimited") {
    this.#slack.inc({ method, outcome });
  }

  audit(entries: readonly { kind: string; outcome: string }[], seconds: number) {
    this.#store.observe(seconds);
    for (const e of entries) this.#audit.inc({ kind: e.kind, outcome: outcomeClass(e.outcome) });
  }

  alerts(received: readonly { status: string }[]) {
    for (const a of received) this.#alerts.inc({ status: a.status === "firing" ? "firing" : "resolved" });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
