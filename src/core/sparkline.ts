const BARS = "▁▂▃▄▅▆▇█";

/**
 * A Unicode sparkline. Values are scaled to [floor, ceiling] (pass the limit as ceiling so a full
 * bar means "at the limit"); null (no data) is a space.
 */
export function sparkline(values: readonly (number | null)[], floor: number, ceiling: number): string {
  const span = ceiling - floor;
  return values
    .map((v) => {
      if (v === null) return " ";
      if (span <= 0) return BARS[0];
      const level = Math.round(((v - floor) / span) * (BARS.length - 1));
      return BARS[Math.min(BARS.length - 1, Math.max(0, level))];
    })
    .join("");
}
