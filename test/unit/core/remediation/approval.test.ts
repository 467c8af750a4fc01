import { describe, expect, it } from "vitest";
import { parsePolicy, type Policy } from "../../../../src/core/remediation/policy.ts";
import { approve, deny, expire, type Proposal, request } from "../../../../src/core/remediation/proposal.ts";
import { planRestart } from "../../../../src/core/remediation/plan.ts";
import { NOW, workload } from "../../../support/fixtures.ts";

function policy(doc: unknown): Policy {
  const p = parsePolicy(doc);
  if (!p.ok) throw new Error(p.error.join("; "));
  return p.value;
}

const POLICY = policy({
  rules: [
    {
      namespaces: ["payments"],
      actions: ["restart", "raise-limit"],
      request: ["S0SRE"],
      approve: ["S0LEADS"],
      approvals: 2,
    },
    {
      namespaces: ["*"],
      actions: ["restart", "raise-limit", "scale-out"],
      request: ["*"],
      approve: ["S0SRE", "U0CAROL"],
    },
  ],
});

function offered(namespace = "shop"): Proposal {
  const plan = planRestart(workload({ kind: "deployment", name: "api", namespace }), NOW);
  if (!plan.ok) throw new Error(plan.error);
  return {
    id: "p1",
    version: 1,
    status: "offered",
    plan: plan.value,
    channel: "C1",
    threadTs: "1.0",
    cardTs: null,
    requester: null,
    requestedAt: null,
    expiresAt: null,
    approvals: [],
    requiredApprovals: 1,
    decidedBy: null,
    decidedAt: null,
    gitOps: null,
    route: { kind: "live" },
    dryRun: null,
    preflight: null,
    result: null,
    createdAt: NOW,
  };
}

const alice = { user: "U0ALICE", groups: ["S0SRE"] };
const bob = { user: "U0BOB", groups: ["S0SRE"] };
const mallory = { user: "U0MALLORY", groups: [] };

describe("policy", () => {
  it("reports every problem by path", () => {
    const p = parsePolicy({
      expiry: "soon",
      permissionCheck: "impersonate",
      rules: [{ namespaces: ["Shop"], actions: ["reboot"], request: ["alice"], approve: [] }],
    });
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.error.map((e) => e.split(":")[0])).toEqual(
        expect.arrayContaining([
          "expiry",
          "permissionCheck",
          "rules.0.namespaces.0",
          "rules.0.actions.0",
          "rules.0.request.0",
          "rules.0.approve",
        ]),
      );
      expect(p.error).toContain(
        'permissionCheck: only "subject-access-review" is supported (impersonation is not implemented yet)',
      );
    }
  });
});

describe("approval", () => {
  it("requester asks, another person approves: execute", () => {
    const asked = request(offered(), alice, POLICY, NOW);
    expect(asked).toMatchObject({
      ok: true,
      value: { status: "pending", requester: "U0ALICE", expiresAt: NOW + 900, requiredApprovals: 1 },
    });
    const approved = approve((asked as { value: Proposal }).value, bob, POLICY, NOW + 60);
    expect(approved).toMatchObject({
      ok: true,
      value: { kind: "execute", proposal: { status: "approved", decidedBy: "U0BOB" } },
    });
  });

  it("self-approval is refused by default", () => {
    const asked = (request(offered(), alice, POLICY, NOW) as { value: Proposal }).value;
    expect(approve(asked, alice, POLICY, NOW)).toEqual({
      ok: false,
      error: "you asked for this change: another person must approve it",
    });
  });

  it("someone outside the approvers is refused", () => {
    const asked = (request(offered(), alice, POLICY, NOW) as { value: Proposal }).value;
    expect(approve(asked, mallory, POLICY, NOW)).toEqual({
      ok: false,
      error: "you are not an approver for restart in namespace shop",
    });
  });

  it("an expired request cannot be approved, and is recorded as expired", () => {
    const asked = (request(offered(), alice, POLICY, NOW) as { value: Proposal }).value;
    expect(approve(asked, bob, POLICY, NOW + 901)).toEqual({ ok: false, error: "this request has expired; ask again" });
    expect(expire(asked, NOW + 901)).toMatchObject({ status: "expired" });
    expect(expire(asked, NOW + 10)).toBeNull();
  });

  it("a protected namespace needs two distinct approvers", () => {
    const carolLead = { user: "U0CAROL", groups: ["S0LEADS"] };
    const daveLead = { user: "U0DAVE", groups: ["S0LEADS"] };
    const asked = (request(offered("payments"), alice, POLICY, NOW) as { value: Proposal }).value;
    expect(asked.requiredApprovals).toBe(2);
    const first = approve(asked, carolLead, POLICY, NOW);
    expect(first).toMatchObject({ ok: true, value: { kind: "needs-more", remaining: 1 } });
    const once = (first as { value: { proposal: Proposal } }).value.proposal;
    expect(approve(once, carolLead, POLICY, NOW)).toEqual({
      ok: false,
      error: "you already approved this; it needs another approver",
    });
    expect(approve(once, daveLead, POLICY, NOW)).toMatchObject({ ok: true, value: { kind: "execute" } });
    expect(request(offered("payments"), mallory, POLICY, NOW)).toEqual({
      ok: false,
      error: "you may not ask for restart in namespace payments",
    });
  });

  it("a decided request cannot be decided again", () => {
    const asked = (request(offered(), alice, POLICY, NOW) as { value: Proposal }).value;
    const denied = (deny(asked, bob, POLICY, NOW) as { value: Proposal }).value;
    expect(denied).toMatchObject({ status: "denied", decidedBy: "U0BOB" });
    expect(approve(denied, { user: "U0CAROL", groups: [] }, POLICY, NOW)).toEqual({
      ok: false,
      error: "already denied by <@U0BOB>",
    });
    expect(deny(asked, mallory, POLICY, NOW)).toMatchObject({ ok: false });
  });
});
