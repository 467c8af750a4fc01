/**
 * Did the fix work? A day and a week after each executed remediation, one replica (under a lease on the
 * re-check) looks again — OOM kills, restarts, memory against the limit — records the result in the
 * audit log and says it in the incident thread. `/mem stats` counts these.
 */
import { formatDuration } from "../core/duration.ts";
import { recheckFix } from "../engine/remediation/recheck.ts";
import type { VerifierDeps } from "./verify-remediation.ts";

const DAY = 86_400;
/** when an executed remediation is looked at again, after its decision */
export const RECHECK_AFTER = [DAY, 7 * DAY];
/** a re-check stays this replica's this long; another takes it over after */
const LEASE_SECONDS = 120;

/** Runs the re-checks that are due; how many were reported. */
export async function recheckFixes(d: VerifierDeps): Promise<number> {
  let reported = 0;
  for (;;) {
    const now = d.clock.now();
    const c = await d.store.claimDueFixCheck(d.replicaId, now, now + LEASE_SECONDS);
    if (!c) return reported;
    const p = await d.store.proposal(c.proposalId);
    if (!p) {
      await d.store.finishFixCheck(c.proposalId, c.afterSeconds, d.replicaId);
      continue;
    }
    const r = await recheckFix({ cluster: d.cluster, metrics: d.metrics, clock: d.clock }, p);
    const after = formatDuration(c.afterSeconds);
    // on the record before it is marked done: a replica that dies in between repeats a read, loses nothing
    await d.audit.record({
      kind: "verification",
      slackUser: null,
      target: p.plan.target,
      what: p.plan.summary,
      outcome: r.held ? `held after ${after}` : `did not hold after ${after}`,
      details: { proposal: p.id, action: p.plan.action, afterSeconds: c.afterSeconds, held: r.held, lines: r.lines },
    });
    if (!(await d.store.finishFixCheck(c.proposalId, c.afterSeconds, d.replicaId))) continue;
    await d.chat.post(p.channel, d.view.rechecked(p, c.afterSeconds, r), p.threadTs ?? undefined);
    reported++;
  }
}
