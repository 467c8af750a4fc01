/**
 * Stopping memops (SIGTERM at every rolling update) while a command runs: the command finishes — its
 * report posted, its audit entry written — before memops stops and its store closes. It used to stop at
 * once: the store closed under the diagnosis ("database is not open") and its audit entry was lost.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Cluster } from "../../src/ports.ts";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { FakeCluster } from "../support/fake-cluster.ts";
import { messageText } from "../support/message-text.ts";
import { NOW, shopCluster, shopMetrics } from "../support/shop-scenario.ts";

/** The shop cluster whose event list waits until the test lets it answer. */
class GatedCluster extends FakeCluster {
  reached!: () => void;
  readonly atGate = new Promise<void>((r) => (this.reached = r));
  open!: () => void;
  readonly #gate = new Promise<void>((r) => (this.open = r));

  protected override async enter(method: keyof Cluster, ...args: unknown[]) {
    await super.enter(method, ...args);
    if (method === "listEvents") {
      this.reached();
      await this.#gate;
    }
  }
}

describe("memops stopped while a command runs", () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  it("finishes the diagnosis, posts its report and records it, then stops", async () => {
    const cluster = new GatedCluster(shopCluster().data);
    h = await startHarness({ cluster, metrics: shopMetrics(), clock: { now: () => NOW } });
    const res = await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    expect(res.status).toBe(200);
    await cluster.atGate;

    let stopped = false;
    const stopping = h.app.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(stopped).toBe(false); // it waits for the diagnosis in flight
    cluster.open();
    await stopping;

    const ws = h.emulator.workspace;
    const parent = ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report in the thread"));
    expect(parent, "the report was posted before memops stopped").toBeDefined();
    const audit = await h.store.auditEntries();
    // the diagnosis's own entry, written after the gate opened: on the record before memops stopped
    expect(audit.map((e) => [e.kind, e.what])).toEqual([
      ["command", "/mem diagnose deploy/api -n shop"],
      ["diagnosis", "oomkilled on deploy/api -n shop (requested by <@U0ALICE>)"],
    ]);
    expect(h.logs.join("")).not.toContain("database is not open");
    await h.emulator.stop();
    await h.store.close();
    h = null;
  });
});
