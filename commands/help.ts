import { ok } from "../src/core/result.ts";
import { sections } from "../src/slack/render/blocks.ts";
import { esc } from "../src/slack/render/mrkdwn.ts";
import { type Command, command } from "./command.ts";

export function helpText(
  commands: readonly Command<unknown>[],
  problem?: string,
): { text: string; blocks: ReturnType<typeof sections> } {
  const lines = commands.map((c) => `\`${esc(c.usage)}\`\n${esc(c.summary)}`);
  const intro = problem ? `:warning: ${esc(problem)}\n\n` : "";
  const examples =
    "*Examples*\n`/mem diagnose deploy/api -n shop`\n`/mem diagnose pod/api-7d9c8f6b5d-x2x9q -n shop --since 24h`\n`/mem diagnose ns/shop`  `/mem diagnose -l app=api -n shop`";
  return {
    text: `${problem ? `${problem}. ` : ""}memops commands: ${commands.map((c) => c.name).join(", ")}`,
    blocks: sections(`${intro}*memops* — Kubernetes memory incidents\n\n${lines.join("\n\n")}\n\n${examples}`),
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
    run: async () => helpText(all()),
  });
}
