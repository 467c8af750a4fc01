/** The few Block Kit shapes memops posts, and the limits it must respect (slack-platform.md). */
export type TextObject = { type: "plain_text"; text: string; emoji?: boolean } | { type: "mrkdwn"; text: string };
import type { ChatMessage } from "../../ports.ts";

export type { ChatMessage };
export type Block = ChatMessage["blocks"][number];

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  messageText: 4000,
  /** Slack rejects messages whose blocks total ~12k characters (msg_blocks_too_long); stay well below */
  blocksChars: 10_000,
} as const;

export const mrkdwn = (text: string): TextObject => ({ type: "mrkdwn", text });
export const plain = (text: string): TextObject => ({ type: "plain_text", text, emoji: true });

export const header = (text: string): Block => ({
  type: "header",
  text: plain(text.length > LIMITS.headerText ? `${text.slice(0, LIMITS.headerText - 1)}…` : text),
});
export const divider = (): Block => ({ type: "divider" });
export const context = (...texts: string[]): Block => ({
  type: "context",
  elements: texts.slice(0, LIMITS.contextElements).map(mrkdwn),
});

/** One or more section blocks: text longer than a section allows is split at line breaks, never dropped. */
export function sections(text: string): Block[] {
  const out: Block[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    const piece = line.length > LIMITS.sectionText - 10 ? `${line.slice(0, LIMITS.sectionText - 11)}…` : line;
    if (current && current.length + 1 + piece.length > LIMITS.sectionText - 10) {
      out.push({ type: "section", text: mrkdwn(current) });
      current = piece;
    } else current = current ? `${current}\n${piece}` : piece;
  }
  if (current) out.push({ type: "section", text: mrkdwn(current) });
  return out;
}

/** A code block as sections; each part is a complete ``` block so splitting keeps the formatting. */
export function codeSections(title: string, lines: readonly string[]): Block[] {
  const out: Block[] = [];
  let chunk: string[] = [];
  let size = title.length;
  const flush = () => {
    if (chunk.length === 0) return;
    out.push({
      type: "section",
      text: mrkdwn(`${out.length === 0 ? `${title}\n` : ""}\`\`\`${chunk.join("\n")}\`\`\``),
    });
    chunk = [];
    size = 0;
  };
  const max = LIMITS.sectionText - title.length - 40;
  for (const line of lines) {
    const l = line.length > max ? `${line.slice(0, max - 1)}…` : line;
    if (size + l.length + 8 > LIMITS.sectionText - 20) flush();
    chunk.push(l);
    size += l.length + 1;
  }
  flush();
  if (out.length === 0) out.push({ type: "section", text: mrkdwn(title) });
  return out;
}

/**
 * Packs blocks into as many messages as the limits require (block count and total size), keeping
 * their order. A report is split across thread messages rather than rejected or cut.
 */
export function packMessages(
  blocks: readonly Block[],
  fallback: (part: number, parts: number) => string,
): ChatMessage[] {
  const groups: Block[][] = [];
  let current: Block[] = [];
  let chars = 0;
  for (const b of blocks) {
    const size = JSON.stringify(b).length;
    if (current.length > 0 && (current.length >= LIMITS.blocksPerMessage || chars + size > LIMITS.blocksChars)) {
      groups.push(current);
      current = [];
      chars = 0;
    }
    current.push(b);
    chars += size;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((g, i) => ({ text: fallback(i + 1, groups.length).slice(0, LIMITS.messageText), blocks: g }));
}
