import type { Workspace } from "../src/slack/emulator/workspace.ts";

/**
 * A diagnosis is done, for the benchmarks, when a new parent message in `channel` (posted after message
 * number `before`) has been updated with the verdict: the report and its chart are in the thread by then.
 */
export function untilVerdict(ws: Workspace, channel: string, before: number, timeoutMs: number): Promise<unknown> {
  return ws.waitFor(
    () =>
      ws.messages
        .slice(before)
        .find(
          (m) =>
            m.channel === channel &&
            m.threadTs === null &&
            m.updates > 0 &&
            JSON.stringify(m.blocks).includes("Full report in the thread"),
        ),
    timeoutMs,
  );
}
