import { ok } from "../src/core/result.ts";
import { sections } from "../src/slack/render/blocks.ts";
import { esc } from "../src/slack/render/mrkdwn.ts";
import { formatDuration } from "../src/core/duration.ts";
import { formatBytes } from "../src/core/quantity.ts";
import type { WatchConfig } from "../src/core/watch/watch-config.ts";
import { type Command, command } from "./command.ts";

/** What the fleet watch does here, or how to turn it on. */
export function watchLine(w: WatchConfig | undefined): string {
  if (!w)
    return "*Fleet watch:* off. Add a `watch:` section to the policy file to be warned before containers reach their limits.";
  const where = w.targets
    .map(
      (t) =>
        `${t.namespaces.map((n) => `\`${esc(n)}\``).join(", ")}${t.selector ? ` \`${esc(t.selector)}\`` : ""} → <#${t.channel}>`,
    )
    .join("; ");
  return `*Fleet watch:* on, every ${formatDuration(w.every)}: ${where}. Warns ${formatDuration(w.horizon)} ahead, from ${Math.round(w.minShare * 100)}% of the limit and ${formatBytes(w.minGrowthPerHour)}/h of growth, with confidence ≥ ${w.minConfidence}; at most ${w.dailyCap} a day per channel; a rightsizing digest every ${formatDuration(w.digestEvery)} (\`/mem digest\` any time).`;
}

export function helpText(
  commands: readonly Command<unknown>[],
  problem?: string,
  watch?: string,
): { text: string; blocks: ReturnType<typeof sections> } {
  const lines = commands.map((c) => `\`${esc(c.usage)}\`\n${esc(c.summary)}`);
  const intro = problem ? `:warning: ${esc(problem)}\n\n` : "";
  const examples =
    "*Examples*\n`/mem diagnose deploy/api -n shop`\n`/mem diagnose pod/api-7d9c8f6b5d-x2x9q -n shop --since 24h`\n`/mem diagnose ns/shop`  `/mem diagnose -l app=api -n shop`";
  return {
    text: `${problem ? `${problem}. ` : ""}memops commands: ${commands.map((c) => c.name).join(", ")}`,
    blocks: sections(
      `${intro}*memops* — Kubernetes memory incidents\n\n${lines.join("\n\n")}\n\n${examples}${watch ? `\n\n${watch}` : ""}`,
    ),
  };
}

/** `/mem help`, and what `/mem` alone or an unknown subcommand shows. */
export function helpCommand(all: () => readonly Command<unknown>[]) {
  return command<null>({
    name: "help",
    summary: "Show this help",
    usage: "/mem help",
    quick: true,
    parse: () => ok(null),
    run: async (_args, ctx) => helpText(all(), undefined, watchLine(ctx.remediation?.policy.watch)),
  });
}
