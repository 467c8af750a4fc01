import type { Logger } from "pino";
import type { Result } from "../src/core/result.ts";
import type { Policy } from "../src/core/remediation/policy.ts";
import type { GitOpsOwner } from "../src/core/remediation/gitops.ts";
import type { Plan } from "../src/core/remediation/plan.ts";
import type { Proposal } from "../src/core/remediation/proposal.ts";
import type { Route } from "../src/core/remediation/route.ts";
import type { IncidentDeps } from "../src/app/incident-deps.ts";
import type { ChatMessage } from "../src/ports.ts";

import type { CommandDefaults } from "../src/app/diagnose-args.ts";

/** What a /mem subcommand may use while it acts. */
export interface CommandContext {
  user: string;
  channel: string;
  /** the ports, runbooks and views the incident use cases run on; its audit log records this command first */
  incidents: IncidentDeps;
  /** present when a policy is configured: remediations can be offered and requested */
  remediation: {
    policy: Policy;
    /** asks for the change on behalf of the person who typed the command; the approval card follows */
    propose(plan: Plan, gitOps: GitOpsOwner | null, route: Route): Promise<Result<Proposal>>;
  } | null;
  /** an ephemeral message to the person who typed the command */
  reply(message: ChatMessage): Promise<void>;
  /** memops will not do what the command asks: the audit log records the refusal with its reason, and the person is told */
  refuse(reason: string): Promise<void>;
  log: Logger;
  /** waits (a heap profile's compare interval); tests pass a fake one */
  sleep(ms: number): Promise<void>;
}

/**
 * One /mem subcommand: parse the words (a bad argument is a value, shown with the usage), then act.
 * A `quick` command answers in the acknowledgement itself; others acknowledge first and then work.
 */
export interface Command<A> {
  name: string;
  summary: string;
  usage: string;
  quick: boolean;
  parse(words: readonly string[], defaults: CommandDefaults): Result<A>;
  run(args: A, ctx: CommandContext): Promise<ChatMessage | void>;
}

/** Erases the argument type so commands of different shapes can share one registry. */
export const command = <A>(c: Command<A>): Command<unknown> => c;
