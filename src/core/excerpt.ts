/** At most `max` characters of what a person typed, for an error message that quotes it back. */
export const excerpt = (text: string, max = 60): string => (text.length > max ? `${text.slice(0, max)}…` : text);
