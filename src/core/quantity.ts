import { err, ok, type Result } from "./result.ts";
import { excerpt } from "./excerpt.ts";

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+]?[0-9]*\.?[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E))?$/;

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** Parses a Kubernetes memory quantity ("512Mi", "1.5G", "1e9", "129e6") into whole bytes. */
export function parseQuantity(text: string): Result<number> {
  const m = QUANTITY.exec(text.trim());
  if (!m?.[1]) return err(`"${excerpt(text)}" is not a memory quantity (examples: 512Mi, 1Gi, 800M)`);
  const base = Number(m[1]);
  const factor = m[2] ? 10 ** Number(m[2].slice(1)) : m[3] ? (BINARY[m[3]] ?? DECIMAL[m[3]] ?? 1) : 1;
  const bytes = Math.ceil(base * factor);
  if (!Number.isFinite(bytes)) return err(`"${excerpt(text)}" is too large`);
  return ok(bytes);
}

/** Formats bytes with binary units, the way kubectl users read them: 512Mi, 1.5Gi, 900Ki. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  const units: [string, number][] = [
    ["Ti", 2 ** 40],
    ["Gi", GiB],
    ["Mi", MiB],
    ["Ki", 2 ** 10],
  ];
  for (const [unit, size] of units) {
    if (abs >= size) {
      const value = bytes / size;
      const digits = Math.abs(value) >= 100 ? 0 : 1;
      return `${Number(value.toFixed(digits))}${unit}`;
    }
  }
  return `${Math.round(bytes)}B`;
}

/** A limit or request as text: "none" when there is none. */
export const formatLimit = (bytes: number | null): string => (bytes === null ? "none" : formatBytes(bytes));

/** Rounds bytes up to a step a person would write in a manifest: 16Mi to 256Mi, 32Mi to 1Gi, 64Mi to 4Gi, 256Mi to 16Gi, then 1Gi (at most ~6% above). */
export function roundUpReadable(bytes: number): number {
  const step =
    bytes <= 256 * MiB
      ? 16 * MiB
      : bytes <= GiB
        ? 32 * MiB
        : bytes <= 4 * GiB
          ? 64 * MiB
          : bytes <= 16 * GiB
            ? 256 * MiB
            : GiB;
  return Math.ceil(bytes / step) * step;
}

/** The exact Kubernetes quantity for bytes, for manifests and patches: 1152Mi, never a rounded "1.1Gi". */
export function exactQuantity(bytes: number): string {
  const whole = Math.ceil(bytes);
  // 1.5Gi and 1.25Gi are exact and easier to read than 1536Mi and 1280Mi
  if (whole >= GiB && (whole * 100) % GiB === 0) return `${whole / GiB}Gi`;
  for (const [unit, size] of [
    ["Gi", GiB],
    ["Mi", MiB],
    ["Ki", 2 ** 10],
  ] as const)
    if (whole % size === 0 && whole >= size) return `${whole / size}${unit}`;
  return String(whole);
}
