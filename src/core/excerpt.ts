/** At most `max` characters of a text, with "…" when cut: an error message's quote of what was typed, a line of a list. */
export const excerpt = (text: string, max = 60): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
