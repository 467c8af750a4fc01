/** A string as a literal inside a regular expression. */
export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An anchored-by-the-caller pattern matching exactly these names ("$^" matches nothing). */
export const exactly = (names: readonly string[]): string => (names.length ? names.map(escapeRegex).join("|") : "$^");
