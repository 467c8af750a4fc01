import { INSTANT } from "../../core/duration.ts";

/** Slack's three control characters; everything interpolated into mrkdwn goes through this. */
export const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Escaped like `esc`, except user mentions (`<@U…>`) stay mentions: for stored text memops wrote itself. */
export const escKeepMentions = (s: string): string => esc(s).replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, "<@$1>");

/** Text for a ``` block: escaped, and a stray fence cannot end the block early. */
export const codeText = (s: string): string => esc(s).replace(/```/g, "ʼʼʼ");

export { excerpt as cut } from "../../core/excerpt.ts";

export const pct = (x: number | null): string => (x === null ? "—" : `${Math.round(x * 100)}%`);

export { table } from "../../core/text-table.ts";

/** A time as Slack shows it: in each reader's own zone ("Today at 8:33 PM"), never going stale like "8s ago". */
export const slackDate = (t: number, fallback = new Date(t * 1000).toISOString()): string =>
  `<!date^${Math.floor(t)}^{date_short_pretty} {time}|${fallback}>`;

/** For text memops wrote itself: escaped, mentions kept, and its times ("2026-12-01 20:33 UTC") as Slack dates. */
export const memopsText = (s: string): string =>
  escKeepMentions(s).replace(INSTANT, (all, iso: string) =>
    slackDate(Date.parse(`${iso.replace(" ", "T")}:00Z`) / 1000, all),
  );
