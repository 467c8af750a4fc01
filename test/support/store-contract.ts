/** The behaviour every Store must have; run against each implementation. */
import { describe, expect, it } from "vitest";
import type { Proposal } from "../../src/core/remediation/proposal.ts";
import { planRestart } from "../../src/core/remediation/plan.ts";
import type { ProfileCompare, Store } from "../../src/ports.ts";
import { verifyChain } from "../../src/core/audit.ts";
import { NOW, workload } from "./fixtures.ts";

export function proposalFixture(id: string, over: Partial<Proposal> = {}): Proposal {
  const plan = planRestart(workload({ kind: "deployment", name: "api" }), NOW);
  if (!plan.ok) throw new Error(plan.error);
  return {
    id,
    version: 1,
    status: "offered",
    plan: plan.value,
    channel: "C1",
    threadTs: "1.000001",
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
    ...over,
  };
}

export function storeContract(name: string, open: () => Promise<Store>) {
  describe(`${name} store`, () => {
    it("keeps a proposal exactly as written", async () => {
      const s = await open();
      const p = proposalFixture("p-1");
      await s.insertProposal(p);
      expect(await s.proposal("p-1")).toEqual(p);
      expect(await s.proposal("nope")).toBeNull();
      await s.close();
    });

    it("updates only from the version that was read", async () => {
      const s = await open();
      await s.insertProposal(proposalFixture("p-2"));
      const first = await s.updateProposal({ ...proposalFixture("p-2"), status: "pending", requester: "U1" }, 1);
      expect(first).toMatchObject({ version: 2, status: "pending" });
      expect(await s.updateProposal({ ...proposalFixture("p-2"), status: "denied" }, 1)).toBeNull();
      expect(await s.proposal("p-2")).toMatchObject({ version: 2, status: "pending", requester: "U1" });
      await s.close();
    });

    it("of 20 concurrent updates from the same version, exactly one wins", async () => {
      const s = await open();
      await s.insertProposal(proposalFixture("p-3", { status: "pending" }));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          s.updateProposal({ ...proposalFixture("p-3"), status: "approved", decidedBy: `U${i}` }, 1),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await s.proposal("p-3"))?.decidedBy).toBe(results.find(Boolean)?.decidedBy);
      await s.close();
    });

    it("keeps the latest parent message of a thread", async () => {
      const s = await open();
      expect(await s.parent("C1", "1.0")).toBeNull();
      await s.saveParent("C1", "1.0", { text: "first", blocks: [] });
      await s.saveParent("C1", "1.0", { text: "second", blocks: [{ type: "divider" }] });
      expect(await s.parent("C1", "1.0")).toEqual({ text: "second", blocks: [{ type: "divider" }] });
      await s.close();
    });

    it("appends audit entries as one unbroken chain, even when they race", async () => {
      const s = await open();
      const ev = (i: number) => ({
        at: NOW + i,
        kind: "command" as const,
        slackUser: "U1",
        kubernetesIdentity: null,
        target: i % 2 ? { kind: "deployment" as const, name: "api", namespace: "shop" } : null,
        what: `#${i}`,
        outcome: "ok",
        details: { i },
      });
      await Promise.all(Array.from({ length: 25 }, (_, i) => s.appendAudit(ev(i))));
      const all = await s.auditEntries();
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(verifyChain(all)).toEqual({ ok: true, entries: 25 });
      expect(
        (await s.auditEntries({ target: { kind: "deployment", name: "api", namespace: "shop" }, since: NOW + 10 })).map(
          (e) => e.details["i"],
        ),
      ).toEqual([11, 13, 15, 17, 19, 21, 23]);
      expect((await s.auditEntries({ limit: 2 })).map((e) => e.seq)).toEqual([24, 25]);
      expect(await s.auditHead()).toEqual({ seq: 25, hash: all[24]?.hash });
      // a batch is appended in order, in one transaction, continuing the chain
      const batch = await s.appendAudits(Array.from({ length: 700 }, (_, i) => ev(100 + i)));
      expect(batch.map((e) => e.seq)).toEqual(Array.from({ length: 700 }, (_, i) => 26 + i));
      const after = await s.auditEntries();
      expect(verifyChain(after, await s.auditHead())).toEqual({ ok: true, entries: 725 });
      expect(await s.appendAudits([])).toEqual([]);
      await s.close();
    });

    it("keeps one open incident per workload and channel, and remembers alerts seen", async () => {
      const s = await open();
      const inc = {
        id: "i1",
        subject: { kind: "deployment" as const, name: "api", namespace: "shop" },
        channel: "C1",
        threadTs: "1.000001",
        status: "open" as const,
        openedAt: NOW,
        resolvedAt: null,
      };
      expect(await s.createIncident(inc)).toBe(true);
      expect(await s.createIncident({ ...inc, id: "i2", threadTs: "2.0" })).toBe(false);
      expect(await s.openIncident({ kind: "deployment", name: "api", namespace: "shop" }, "C1")).toEqual(inc);
      expect(await s.incident("i1")).toEqual(inc);
      expect(await s.openIncident({ kind: "deployment", name: "api", namespace: "shop" }, "C2")).toBeNull();
      expect(await s.openIncidents("C1")).toEqual([inc]);
      expect(await s.openIncidents("C2")).toEqual([]);
      await s.resolveIncident("i1", NOW + 60);
      expect(await s.openIncidents("C1")).toEqual([]);
      expect(await s.openIncident({ kind: "deployment", name: "api", namespace: "shop" }, "C1")).toBeNull();
      expect(await s.createIncident({ ...inc, id: "i3", threadTs: "3.0" })).toBe(true);
      const alert = (fingerprint: string, status = "firing") => ({
        fingerprint,
        startsAt: "2026-01-01T00:00:00Z",
        status,
      });
      expect(await s.markAlertsSeen([alert("abc")], NOW)).toEqual([true]);
      expect(await s.markAlertsSeen([alert("abc")], NOW + 1)).toEqual([false]);
      expect(await s.markAlertsSeen([alert("abc", "resolved")], NOW + 2)).toEqual([true]);
      // a batch, in one transaction: new ones, one seen before, a repeat within the batch
      expect(await s.markAlertsSeen([alert("d"), alert("abc"), alert("e"), alert("d")], NOW + 3)).toEqual([
        true,
        false,
        true,
        false,
      ]);
      expect(await s.markAlertsSeen([], NOW + 4)).toEqual([]);
      // a signed request's signature: once, until its time has passed (then forgotten)
      expect(await s.markRequestSeen("v0=aa", NOW + 600, NOW)).toBe(true);
      expect(await s.markRequestSeen("v0=aa", NOW + 600, NOW + 1)).toBe(false);
      expect(await s.markRequestSeen("v0=bb", NOW + 600, NOW + 1)).toBe(true);
      expect(await s.markRequestSeen("v0=aa", NOW + 2000, NOW + 601)).toBe(true);
      await s.close();
    });

    it("a watch is owned under a lease; an expired lease can be taken over once, and then only the new owner finishes it", async () => {
      const s = await open();
      await s.startWatch({
        proposalId: "w1",
        startedAt: NOW,
        windowSeconds: 600,
        owner: "replica-a",
        leaseUntil: NOW + 30,
      });
      expect(await s.claimExpiredWatch("replica-b", NOW + 10, NOW + 40)).toBeNull();
      expect(await s.renewWatch("w1", "replica-a", NOW + 60)).toBe(true);
      const [first, second] = await Promise.all([
        s.claimExpiredWatch("replica-b", NOW + 61, NOW + 91),
        s.claimExpiredWatch("replica-c", NOW + 61, NOW + 91),
      ]);
      const claimed = [first, second].filter(Boolean);
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({ proposalId: "w1", startedAt: NOW, windowSeconds: 600, leaseUntil: NOW + 91 });
      const winner = claimed[0]!.owner;
      expect(await s.renewWatch("w1", "replica-a", NOW + 100)).toBe(false);
      expect(await s.finishWatch("w1", "replica-a")).toBe(false);
      expect(await s.finishWatch("w1", winner)).toBe(true);
      expect(await s.claimExpiredWatch("replica-d", NOW + 1000, NOW + 1030)).toBeNull();
      await s.close();
    });

    it("a named lease has one holder at a time: renewed by it, taken over only once it has run out", async () => {
      const s = await open();
      const [a, b] = await Promise.all([
        s.tryLease("watch", "replica-a", NOW, NOW + 60),
        s.tryLease("watch", "replica-b", NOW, NOW + 60),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const holder = a ? "replica-a" : "replica-b",
        other = a ? "replica-b" : "replica-a";
      expect(await s.tryLease("watch", holder, NOW + 30, NOW + 90)).toBe(true);
      expect(await s.tryLease("watch", other, NOW + 61, NOW + 121)).toBe(false);
      expect(await s.tryLease("watch", other, NOW + 91, NOW + 151)).toBe(true);
      expect(await s.tryLease("watch", holder, NOW + 92, NOW + 152)).toBe(false);
      expect(await s.tryLease("digest", holder, NOW + 92, NOW + 152)).toBe(true);
      await s.close();
    });

    it("keeps one open watch warning per workload and channel until its episode ends", async () => {
      const s = await open();
      const subject = { kind: "deployment" as const, name: "checkout", namespace: "shop" };
      const w = { subject, channel: "C0SHOP", warnedAt: NOW, threadTs: "1.000100" };
      const [first, second] = await Promise.all([
        s.recordWatchWarning(w),
        s.recordWatchWarning({ ...w, threadTs: "1.000200" }),
      ]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      expect(await s.recordWatchWarning({ ...w, channel: "C0OTHER" })).toBe(true);
      expect((await s.watchWarnings()).map((x) => x.channel).sort()).toEqual(["C0OTHER", "C0SHOP"]);
      expect((await s.watchWarnings())[0]).toMatchObject({ subject, warnedAt: NOW });
      await s.endWatchWarning(subject, "C0SHOP");
      expect((await s.watchWarnings()).map((x) => x.channel)).toEqual(["C0OTHER"]);
      expect(await s.recordWatchWarning({ ...w, warnedAt: NOW + 600 })).toBe(true);
      await s.close();
    });

    it("keeps one watch mute per workload and channel, with who and why, until lifted", async () => {
      const s = await open();
      const subject = { kind: "deployment" as const, name: "checkout", namespace: "shop" };
      const snooze = {
        subject,
        channel: "C0SHOP",
        kind: "snooze" as const,
        until: NOW + 3600,
        generation: null,
        by: "U0ALICE",
        why: "",
        at: NOW,
      };
      await s.muteWatch(snooze);
      await s.muteWatch({
        ...snooze,
        kind: "not-a-problem",
        until: null,
        why: "a cache that fills by design",
        at: NOW + 5,
      });
      await s.muteWatch({ ...snooze, channel: "C0OTHER", kind: "until-rollout", until: null, generation: 7 });
      const mutes = await s.watchMutes();
      expect(mutes).toHaveLength(2);
      expect(mutes.find((m) => m.channel === "C0SHOP")).toEqual({
        ...snooze,
        kind: "not-a-problem",
        until: null,
        why: "a cache that fills by design",
        at: NOW + 5,
      });
      expect(mutes.find((m) => m.channel === "C0OTHER")).toMatchObject({ kind: "until-rollout", generation: 7 });
      await s.unmuteWatch(subject, "C0SHOP");
      expect((await s.watchMutes()).map((m) => m.channel)).toEqual(["C0OTHER"]);
      await s.close();
    });

    it("re-checks of a fix: each due one claimed by one replica, once; a lease that ran out is taken over", async () => {
      const s = await open();
      const checks = [
        { afterSeconds: 86_400, dueAt: NOW + 86_400 },
        { afterSeconds: 604_800, dueAt: NOW + 604_800 },
      ];
      await s.scheduleFixChecks("p1", checks);
      await s.scheduleFixChecks("p1", checks); // a repeat changes nothing
      expect(await s.claimDueFixCheck("a", NOW + 10, NOW + 70)).toBeNull();
      const [x, y] = await Promise.all([
        s.claimDueFixCheck("a", NOW + 86_400, NOW + 86_460),
        s.claimDueFixCheck("b", NOW + 86_400, NOW + 86_460),
      ]);
      const claimed = [x, y].filter(Boolean);
      expect(claimed).toEqual([{ proposalId: "p1", afterSeconds: 86_400, dueAt: NOW + 86_400 }]);
      const holder = x ? "a" : "b";
      expect(await s.claimDueFixCheck("c", NOW + 86_500, NOW + 86_560)).toMatchObject({ afterSeconds: 86_400 });
      expect(await s.finishFixCheck("p1", 86_400, holder)).toBe(false);
      expect(await s.finishFixCheck("p1", 86_400, "c")).toBe(true);
      expect(await s.claimDueFixCheck("d", NOW + 86_600, NOW + 86_660)).toBeNull();
      expect(await s.claimDueFixCheck("d", NOW + 604_800, NOW + 604_860)).toMatchObject({ afterSeconds: 604_800 });
      await s.close();
    });

    it("heap profile comparisons: kept until posted, taken once by one replica, its own taken before it is due, a lapsed lease taken over", async () => {
      const s = await open();
      const c: ProfileCompare = {
        id: "cmp1",
        dueAt: NOW + 300,
        subject: { kind: "deployment", namespace: "shop", name: "checkout" },
        channel: "C0SHOP",
        threadTs: "1.000001",
        user: "U0ALICE",
        namespace: "shop",
        pod: "checkout-1",
        podReason: "its only pod",
        port: 6060,
        path: "/debug/pprof/heap",
        compareSeconds: 300,
        first: {
          sampleType: "inuse_space",
          totalBytes: 9 * 2 ** 20,
          takenAt: NOW,
          functions: [{ name: "main.(*sessionCache).retain", flat: 8 * 2 ** 20, cum: 8 * 2 ** 20 }],
        },
      };
      await s.scheduleProfileCompare(c);
      await s.scheduleProfileCompare({ ...c, dueAt: NOW }); // a repeat changes nothing
      expect(await s.claimProfileCompare("a", NOW + 10, NOW + 70)).toBeNull(); // not due
      const [x, y] = await Promise.all([
        s.claimProfileCompare("a", NOW + 300, NOW + 360),
        s.claimProfileCompare("b", NOW + 300, NOW + 360),
      ]);
      expect([x, y].filter(Boolean)).toEqual([c]);
      const holder = x ? "a" : "b";
      expect(await s.claimProfileCompare("c", NOW + 310, NOW + 370, "cmp1")).toBeNull(); // held
      expect(await s.claimProfileCompare("c", NOW + 400, NOW + 460)).toEqual(c); // the lease ran out
      expect(await s.finishProfileCompare("cmp1", holder)).toBe(false);
      expect(await s.finishProfileCompare("cmp1", "c")).toBe(true);
      expect(await s.claimProfileCompare("d", NOW + 500, NOW + 560)).toBeNull();
      expect(await s.claimProfileCompare("d", NOW + 500, NOW + 560, "cmp1")).toBeNull();
      // by its id, the process that took the first profile takes its comparison whatever the clock says
      await s.scheduleProfileCompare({ ...c, id: "cmp2" });
      expect(await s.claimProfileCompare("e", NOW, NOW + 60, "cmp2")).toMatchObject({ id: "cmp2" });
      await s.close();
    });

    it("finds pending proposals past their expiry", async () => {
      const s = await open();
      await s.insertProposal(proposalFixture("old", { status: "pending", expiresAt: NOW - 1 }));
      await s.insertProposal(proposalFixture("fresh", { status: "pending", expiresAt: NOW + 600 }));
      await s.insertProposal(proposalFixture("done", { status: "executed", expiresAt: NOW - 1 }));
      expect((await s.expiredProposals(NOW)).map((p) => p.id)).toEqual(["old"]);
      await s.close();
    });
  });
}
