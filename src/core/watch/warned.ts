/** The audit entries of warnings and incidents the fleet watch posted (not its digests, mutes or capped ones). */
import type { AuditEntry } from "../audit.ts";

export const WATCH_POSTED = ["warning", "incident"] as const;

export const postedByWatch = (e: AuditEntry): boolean =>
  e.kind === "watch" && (WATCH_POSTED as readonly string[]).includes(e.outcome);
