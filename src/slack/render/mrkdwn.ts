/** Slack's three control characters; everything interpolated into mrkdwn goes through this. */
export const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Escaped like `esc`, except user mentions (`<@U…>`) stay mentions: for stored text memops wrote itself. */
export const escKeepMentions = (s: string): string => esc(s).replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, "<@$1>");

/** Text for a ``` block: escaped, and a stray fence cannot end the block early. */
export const codeText = (s: string): string => esc(s).replace(/```/g, "ʼʼʼ");

export const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export const pct = (x: number | null): string => (x === null ? "—" : `${Math.round(x * 100)}%`);

export { table } from "../../core/text-table.ts";
