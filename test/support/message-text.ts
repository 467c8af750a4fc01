/** Everything a person would read in a message: header, sections, fields, context. */
export function messageText(m: { text: string; blocks: unknown[] }): string {
  const parts: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o["text"] === "string" && (o["type"] === "mrkdwn" || o["type"] === "plain_text"))
        parts.push(o["text"]);
      for (const [k, x] of Object.entries(o)) if (k !== "text" || typeof x !== "string") visit(x);
    }
  };
  visit(m.blocks);
  // Slack shows &lt; &gt; &amp; as the characters they stand for.
  // and a date as its fallback text (the emulator's reader has no time zone)
  return (parts.length ? parts.join("\n") : m.text)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
