/** Remediation behind approval, when a policy is configured: its deps, the verifier, the directory, the buttons. */
import type { App } from "@slack/bolt";
import type { Logger } from "pino";
import type { AuditTrail } from "../app/audit-trail.ts";
import { Verifier, type VerifierDeps } from "../app/verify-remediation.ts";
import type { Config } from "../config.ts";
import type { Policy } from "../core/remediation/policy.ts";
import type { DiagnosisDeps } from "../engine/run-diagnosis.ts";
import { policyGroups } from "../load-policy.ts";
import type { Chat, Store } from "../ports.ts";
import { register as registerRemediationButtons } from "./listeners/remediation-buttons.ts";
import { remediationView } from "./render/remediation.ts";
import { SlackDirectory } from "./slack-directory.ts";

export interface Remediation {
  deps: VerifierDeps;
  verifier: Verifier;
  directory: SlackDirectory;
}

export function wireRemediation(
  app: App,
  config: Config,
  d: {
    policy: Policy;
    diagnosis: DiagnosisDeps;
    store: Store;
    chat: Chat;
    audit: AuditTrail;
    newId: () => string;
    sleep?: (ms: number) => Promise<void>;
    log: Logger;
  },
): Remediation {
  const deps: VerifierDeps = {
    newId: d.newId,
    audit: d.audit,
    metrics: d.diagnosis.metrics,
    sleep: d.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    replicaId: d.newId(),
    leaseSeconds: config.leaseSeconds,
    view: remediationView,
    verify: {
      windowSeconds: config.verifyWindowSeconds,
      pollSeconds: 5,
      rolloutTimeoutSeconds: Math.max(300, config.verifyWindowSeconds),
    },
    cluster: d.diagnosis.cluster,
    store: d.store,
    clock: d.diagnosis.clock,
    policy: d.policy,
    chat: d.chat,
    log: d.log.child({ component: "remediation" }),
  };
  const directory = new SlackDirectory(app.client, policyGroups(d.policy), () => d.diagnosis.clock.now() * 1000);
  const verifier = new Verifier(deps);
  registerRemediationButtons(app, { remediation: deps, verifier, directory });
  return { deps, verifier, directory };
}
