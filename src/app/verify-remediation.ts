/**
 * After an execution: watch the workload under a lease (renewed while waiting, taken over by another
 * replica when this one dies) and report the verification in the thread. Only the watch's owner reports.
 */
import type { Logger } from "pino";
import { ruleFor } from "../core/remediation/policy.ts";
import type { Proposal } from "../core/remediation/proposal.ts";
import { type VerifyOptions, verifyRemediation } from "../engine/remediation/verify.ts";
import type { MemoryMetrics } from "../ports.ts";
import { RECHECK_AFTER, recheckFixes } from "./recheck-fixes.ts";
import { showLastAction } from "./remediation-cards.ts";
import type { RemediationDeps } from "./remediation-deps.ts";
import { Stopping, stoppable } from "./stopping.ts";

export interface VerifierDeps extends RemediationDeps {
  metrics: MemoryMetrics | null;
  verify: VerifyOptions;
  /** this process, as owner of watches */
  replicaId: string;
  /** how long a watch stays ours without renewal */
  leaseSeconds: number;
  sleep(ms: number): Promise<void>;
}

class WatchLost extends Error {
  readonly code = "watch-lost";
}

export class Verifier {
  readonly #d: VerifierDeps;
  readonly #running = new Set<Promise<void>>();
  readonly #lifetime = new AbortController();

  constructor(d: VerifierDeps) {
    this.#d = d;
  }

  /** Records the watch before anything says "Done": if this replica dies now, another resumes it. */
  async start(p: Proposal): Promise<void> {
    const at = this.#d.clock.now();
    await this.#d.store.startWatch({
      proposalId: p.id,
      startedAt: at,
      windowSeconds: this.#d.verify.windowSeconds,
      owner: this.#d.replicaId,
      leaseUntil: at + this.#d.leaseSeconds,
    });
  }

  /** Watches in the background for the window (or what is left of it). */
  watch(p: Proposal, windowSeconds: number | null, log: Logger = this.#d.log): void {
    const task = this.#report(p, windowSeconds ?? this.#d.verify.windowSeconds).catch((e: unknown) => {
      if (e instanceof WatchLost) log.info({ proposal: p.id }, "verification watch handed over");
      else log.error({ err: e, proposal: p.id }, "verification failed");
    });
    this.#running.add(task);
    void task.finally(() => this.#running.delete(task));
  }

  /** Takes over the watches whose replica stopped renewing them. */
  async resume(): Promise<void> {
    for (;;) {
      const now = this.#d.clock.now();
      const w = await this.#d.store.claimExpiredWatch(this.#d.replicaId, now, now + this.#d.leaseSeconds);
      if (!w) return;
      const p = await this.#d.store.proposal(w.proposalId);
      if (!p) continue;
      this.#d.log.info({ proposal: p.id, from: "an expired lease" }, "verification watch taken over");
      this.watch(p, Math.max(0, w.windowSeconds - (now - w.startedAt)));
    }
  }

  /** The day- and week-later re-checks that are due. */
  recheckDue(): Promise<number> {
    return recheckFixes(this.#d);
  }

  /** Stops every watch without reporting, as a crash would. */
  abort(): void {
    this.#lifetime.abort();
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  async #report(p: Proposal, windowSeconds: number): Promise<void> {
    const d = this.#d;
    const signal = this.#lifetime.signal;
    const chunkMs = Math.max(1, (d.leaseSeconds * 1000) / 3);
    // a stop ends the wait at once, not at the end of the chunk: SIGTERM does not wait out a poll
    const wait = stoppable((ms) => d.sleep(ms), signal);
    const sleep = async (ms: number) => {
      for (let left = ms; left > 0; left -= chunkMs) {
        if (signal.aborted || !(await d.store.renewWatch(p.id, d.replicaId, d.clock.now() + d.leaseSeconds)))
          throw new WatchLost();
        await wait(Math.min(left, chunkMs)).catch((e: unknown) => {
          throw e instanceof Stopping ? new WatchLost() : e;
        });
      }
    };
    const v = await verifyRemediation({ cluster: d.cluster, metrics: d.metrics, clock: d.clock, sleep }, p, {
      ...d.verify,
      windowSeconds,
    });
    if (signal.aborted || !(await d.store.finishWatch(p.id, d.replicaId))) return;
    const onCall = ruleFor(d.policy, p.plan.target.namespace, p.plan.action)?.onCall ?? null;
    d.log.info(
      { proposal: p.id, verified: v.verified, lines: v.lines, escalation: v.escalation },
      "remediation verified",
    );
    const target = p.plan.target;
    await d.audit.record({
      kind: "verification",
      slackUser: null,
      target,
      what: p.plan.summary,
      outcome: v.verified ? "verified" : "not verified",
      details: { proposal: p.id, lines: v.lines },
    });
    // did it hold? looked at again a day and a week after the decision
    const decided = p.decidedAt ?? d.clock.now();
    await d.store.scheduleFixChecks(
      p.id,
      RECHECK_AFTER.map((a) => ({ afterSeconds: a, dueAt: decided + a })),
    );
    if (v.escalation)
      await d.audit.record({
        kind: "escalation",
        slackUser: null,
        target,
        what: `escalated to ${onCall ?? "no on-call group (none in the policy)"}`,
        outcome: v.escalation,
        details: { proposal: p.id },
      });
    await showLastAction(
      d,
      p,
      `${v.verified ? ":white_check_mark: verified" : ":x: not verified"}${v.escalation ? " · :rotating_light: escalated" : ""}`,
    );
    await d.chat.post(p.channel, d.view.verified(p, v, onCall), p.threadTs ?? undefined);
  }
}
