import { err, ok, type Result } from "./result.ts";
import { excerpt } from "./excerpt.ts";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Parses "90s", "30m", "6h", "1h30m", "2d" into seconds. */
export function parseDuration(text: string): Result<number> {
  const parts = [...text.trim().matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) {
    return err(`"${excerpt(text)}" is not a duration (examples: 30m, 6h, 1h30m, 2d)`);
  }
  return ok(parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? "s"] ?? 1), 0));
}

/** Formats seconds as the two largest units: "3d 4h", "2h 10m", "45m", "2m 30s"; no seconds from 10 minutes on. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "∞";
  const s = seconds >= 600 ? Math.round(seconds / 60) * 60 : Math.max(0, Math.round(seconds));
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), "d"],
    [Math.floor((s % 86_400) / 3600), "h"],
    [Math.floor((s % 3600) / 60), "m"],
    [s % 60, "s"],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return "0s";
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, u]) => `${n}${u}`)
    .join(" ");
}

/** An absolute time as memops writes it in text: "2026-12-01 20:33 UTC" (chat renders it in each reader's zone). */
export function formatInstant(seconds: number): string {
  return `${new Date(Math.floor(seconds / 60) * 60_000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Matches what `formatInstant` writes; group 1 is the ISO date and time. */
export const INSTANT = /\b(\d{4}-\d\d-\d\d \d\d:\d\d) UTC\b/g;
