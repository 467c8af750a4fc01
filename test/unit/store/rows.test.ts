import { describe, expect, it } from "vitest";
import { planRestart } from "../../../src/core/remediation/plan.ts";
import { offered } from "../../../src/core/remediation/proposal.ts";
import { readAuditEvent, readParent, readProposal } from "../../../src/store/rows.ts";
import { NOW, workload } from "../../support/fixtures.ts";

const plan = planRestart(workload({ kind: "deployment", name: "api" }), NOW);
if (!plan.ok) throw new Error(plan.error);
const proposal = offered({
  id: "p-1",
  plan: plan.value,
  channel: "C1",
  threadTs: "1.0",
  gitOps: null,
  route: { kind: "live" },
  now: NOW,
});

describe("stored rows are parsed against their version's schema", () => {
  it("a row as memops wrote it reads back whole", () => {
    expect(readProposal(JSON.stringify(proposal), "p-1")).toEqual(proposal);
    const message = { text: "hi", blocks: [{ type: "section" }] };
    expect(readParent(JSON.stringify(message), "C1/1.0")).toEqual(message);
  });

  it("a row that is not what the code relies on is a clear error naming the table, the row and the field", () => {
    const broken = { ...proposal, plan: { ...proposal.plan, ops: undefined } };
    expect(() => readProposal(JSON.stringify(broken), "p-1")).toThrow(
      /^proposal row p-1 is not a proposal memops can read: plan\.ops: required/,
    );
    expect(() => readProposal(JSON.stringify({ ...proposal, status: "done" }), "")).toThrow(
      /^proposal row p-1 is not a proposal memops can read: status: /,
    );
    expect(() => readProposal(JSON.stringify({ ...proposal, v: 2 }), "p-1")).toThrow(
      "proposal row p-1 has version 2, which this memops cannot read",
    );
    expect(() => readAuditEvent("{not json", 7)).toThrow("audit row #7 is not JSON");
    expect(() => readAuditEvent(JSON.stringify({ at: NOW, kind: "teleport" }), 8)).toThrow(/^audit row #8 is not/);
  });
});
