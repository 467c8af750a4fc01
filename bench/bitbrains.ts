/**
 * The real traces of ../shared/data (BENCH_DATA overrides the folder): 24 Bitbrains VMs, a month of
 * 5-minute memory usage each, with the memory provisioned for each (its natural limit).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Sample } from "../src/core/model.ts";
import { parseTrace } from "../src/core/trace-file.ts";

export interface RealTrace {
  name: string;
  workingSet: Sample[];
  provisionedBytes: number;
}

export const bitbrainsDir = resolve(process.env["BENCH_DATA"] ?? "../shared/data", "bitbrains-rnd-2013-08");

export function loadBitbrains(dir = bitbrainsDir): RealTrace[] {
  const provisioned = new Map(
    readFileSync(join(dir, "provisioned.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",") as [string, string])
      .map(([f, b]) => [f, Number(b)]),
  );
  return readdirSync(dir)
    .filter((f) => /^vm-\d+\.csv$/.test(f))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
    .map((f) => {
      const parsed = parseTrace(readFileSync(join(dir, f), "utf8"));
      if (!parsed.ok) throw new Error(`${f}: ${parsed.error}`);
      const limit = provisioned.get(f);
      if (!limit) throw new Error(`${f}: no provisioned memory in provisioned.csv`);
      return { name: f.replace(/\.csv$/, ""), workingSet: parsed.value.workingSet, provisionedBytes: limit };
    });
}
