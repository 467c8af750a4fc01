/**
 * `memops serve`, once it is serving, has given back what loading and starting left in V8's heap: its
 * young generation is back to its smallest (issue 13: it stayed at the size start-up grew it to, 8 MiB of
 * the idle process's 87 MiB, for as long as memops was idle).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackEmulator } from "../../src/slack/emulator/server.ts";
import { BOT_TOKEN, SIGNING_SECRET } from "../support/app-harness.ts";
import { writeKubeconfig } from "../support/kubeconfig-file.ts";
import { startMemops } from "../support/memops-process.ts";
import { freePort } from "../support/processes.ts";

describe("memops serve at idle", () => {
  let emulator: SlackEmulator;
  let dir: string;

  beforeAll(async () => {
    emulator = await new SlackEmulator({ botToken: BOT_TOKEN }).start();
    dir = mkdtempSync(join(tmpdir(), "memops-serve-idle-"));
    // an API server nobody answers on: memops does not need one to start
    writeKubeconfig(join(dir, "kubeconfig"), { server: "http://127.0.0.1:9" });
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it("has returned start-up's heap to the operating system by the time it serves", async () => {
    const port = String(await freePort());
    const log = join(dir, "memops.log");
    const memops = await startMemops(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: emulator.apiUrl,
        KUBECONFIG: join(dir, "kubeconfig"),
        MEMOPS_DATA_DIR: join(dir, "data"),
        PORT: port,
        // the manifest's V8 settings (deploy/kubernetes/base/memops.yaml)
        NODE_OPTIONS: "--max-old-space-size=96 --max-semi-space-size=4",
      },
      log,
    );
    try {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const space = (name: string) =>
        Number(
          new RegExp(`^memops_nodejs_heap_space_size_total_bytes\\{space="${name}"\\} (\\d+)`, "m").exec(metrics)?.[1],
        );
      expect(space("new"), metrics.slice(0, 2000)).toBeLessThanOrEqual(2 ** 20);
      const line = readFileSync(log, "utf8")
        .split("\n")
        .find((l) => l.includes("returned the heap's free memory"));
      expect(line, "the collection is logged").toBeDefined();
      expect((JSON.parse(line!) as { returnedMiB: number }).returnedMiB).toBeGreaterThan(0);
    } finally {
      await memops.stop();
    }
  });
});
