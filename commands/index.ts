import { tokenize } from "../src/core/args.ts";
import { nearest } from "../src/core/nearest.ts";
import type { ChatMessage } from "../src/ports.ts";
import { sections } from "../src/slack/render/blocks.ts";
import { esc } from "../src/slack/render/mrkdwn.ts";
import type { CommandDefaults } from "../src/app/diagnose-args.ts";
import type { Command } from "./command.ts";
import { diagnoseCommand } from "./diagnose.ts";
import { helpCommand, helpText } from "./help.ts";
import { runbooksCommand } from "./runbooks.ts";
import { auditCommand } from "./audit.ts";
import { limitCommand } from "./limit.ts";
import { restartCommand } from "./restart.ts";
import { scaleCommand } from "./scale.ts";
import { statsCommand } from "./stats.ts";
import { digestCommand } from "./digest.ts";
import { watchCommand } from "./watch.ts";
import { profileCommand } from "./profile.ts";
import { excerpt } from "../src/core/excerpt.ts";

export const COMMANDS: readonly Command<unknown>[] = [
  diagnoseCommand,
  profileCommand,
  restartCommand,
  limitCommand,
  scaleCommand,
  auditCommand,
  statsCommand,
  digestCommand,
  watchCommand,
  runbooksCommand,
  helpCommand(() => COMMANDS),
];

/** the longest slash text memops reads (Slack allows more; no memops command needs it) */
export const MAX_TEXT = 2000;

export type Routed =
  { kind: "run"; command: Command<unknown>; args: unknown } | { kind: "reply"; message: ChatMessage };

const usageError = (c: Command<unknown>, problem: string): ChatMessage => ({
  text: `${problem}. Usage: ${c.usage}`,
  blocks: sections(`:warning: ${esc(problem)}\n*Usage:* \`${esc(c.usage)}\``),
});

/** Slash text → the subcommand to run with its parsed arguments, or the message that explains why not. */
export function route(
  text: string,
  defaults: CommandDefaults,
  commands: readonly Command<unknown>[] = COMMANDS,
): Routed {
  if (text.length > MAX_TEXT)
    return {
      kind: "reply",
      message: helpText(
        commands,
        `that is ${text.length.toLocaleString("en-US")} characters; memops reads commands of at most ${MAX_TEXT.toLocaleString("en-US")}`,
      ),
    };
  const words = tokenize(text);
  if (!words.ok) return { kind: "reply", message: helpText(commands, words.error) };
  const [name, ...rest] = words.value;
  if (!name) return { kind: "reply", message: helpText(commands) };
  const c = commands.find((x) => x.name === name.toLowerCase());
  if (!c) {
    const guess = nearest(
      name,
      commands.map((x) => x.name),
    );
    return {
      kind: "reply",
      message: helpText(
        commands,
        `unknown subcommand "${excerpt(name)}"${guess ? ` (did you mean \`${guess}\`?)` : ""}`,
      ),
    };
  }
  const args = c.parse(rest, defaults);
  if (!args.ok) return { kind: "reply", message: usageError(c, args.error) };
  return { kind: "run", command: c, args: args.value };
}
