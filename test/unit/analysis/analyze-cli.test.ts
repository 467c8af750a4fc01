import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT, runCli, type Wiring } from "../../../src/cli/run-cli.ts";
import { DAY, H, MiB, sample, texture, rng, toCsv } from "../../scenarios/generators.ts";

const dir = mkdtempSync(join(tmpdir(), "memops-analyze-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const unused = (): never => {
  throw new Error("analyze needs no cluster, store or server");
};
const wiring: Wiring = { diagnosisDeps: unused, openStore: unused, serve: unused, playground: unused, blocks: unused };
async function run(...args: string[]) {
  const out: string[] = [],
    err: string[] = [];
  const code = await runCli(["analyze", ...args], {}, { out: (t) => out.push(t), err: (t) => err.push(t) }, wiring);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const END = 1_790_000_000;
const leak = sample({ need: (s) => 300 * MiB + (60 * MiB * s) / H }, texture(rng(3), 300 * MiB), {
  start: END - DAY / 2,
  end: END,
  step: 60,
  limit: 1536 * MiB,
  seed: 4,
}).trace;

describe("memops analyze", () => {
  it("prints the documented JSON for a leak in a CSV file: class, evidence, forecast with range, recommendation", async () => {
    const r = await run(
      "--input",
      file("leak.csv", toCsv(leak)),
      "--limit",
      "1.5Gi",
      "--request",
      "512Mi",
      "--format",
      "json",
    );
    expect(r.code).toBe(EXIT.ok);
    const out = JSON.parse(r.out) as Record<string, unknown> & {
      recommendation: Record<string, unknown>;
      timeToLimitRange: number[];
    };
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining([
        "classification",
        "plateau",
        "confidence",
        "evidence",
        "slopeBytesPerHour",
        "timeToLimitSeconds",
        "timeToLimitRange",
        "recommendation",
      ]),
    );
    expect(out).toMatchObject({ classification: "leak", plateau: false });
    expect((out["slopeBytesPerHour"] as number) / MiB).toBeGreaterThan(50);
    expect((out["slopeBytesPerHour"] as number) / MiB).toBeLessThan(70);
    expect(out["evidence"]).toMatch(
      /^grew [\d.]+Mi\/h for 1[12]h[ \dm]*, R² [01]\.\d\d, Mann–Kendall p < 0\.001, no plateau in the last/,
    );
    // (1536 − ~1020) Mi at ~60 Mi/h: roughly 8 h, inside its own range
    const ttl = out["timeToLimitSeconds"] as number;
    expect(ttl / H).toBeGreaterThan(6);
    expect(ttl / H).toBeLessThan(10);
    expect(out.timeToLimitRange[0]).toBeLessThanOrEqual(ttl);
    expect(out.timeToLimitRange[1]).toBeGreaterThanOrEqual(ttl);
    expect(out.recommendation).toMatchObject({ limitBytes: 1536 * MiB });
    expect(out.recommendation["reason"]).toMatch(
      /^keep the limit: leak of [\d.]+Mi\/h: fix it, or schedule restarts every/,
    );
  });

  it("reads JSON and RFC 3339 timestamps, and prints text; lowers a limit only on a day of samples or more", async () => {
    const rows = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        timestamp: new Date((END - (n - 1 - i) * 300) * 1000).toISOString(),
        working_set_bytes: 400 * MiB + (i % 3) * MiB,
      }));
    const twoDays = await run("--input", file("flat.json", JSON.stringify(rows(576), null, 2)), "--limit", "1Gi");
    expect(twoDays.code).toBe(EXIT.ok);
    expect(twoDays.out).toMatch(/^classification {2}stable, confidence 0\.\d\d\n/);
    expect(twoDays.out).toContain("time to limit   none (no upward trend)");
    expect(twoDays.out).toMatch(/recommendation {2}limit 4\d\dMi, request 4\d\dMi/);
    // four hours have not seen a whole day: the same flat usage does not lower the limit yet
    const fourHours = await run("--input", file("short.json", JSON.stringify(rows(48))), "--limit", "1Gi");
    expect(fourHours.out).toMatch(/recommendation {2}limit 1Gi, request 4\d\dMi/);
    expect(fourHours.out).toMatch(/keep the limit: 3h 55m of samples is less than a day, too little to lower it on/);
  });

  it("a bad file gets a clear error with its line number and exit code 1", async () => {
    const csv = "timestamp,working_set_bytes\n1790000000,100\n1790000060,lots\n";
    expect(await run("--input", file("bad.csv", csv), "--limit", "1Gi")).toMatchObject({
      code: EXIT.failure,
      err: expect.stringContaining('bad.csv: line 3: working_set_bytes "lots" is not a number of bytes'),
    });
    const order = "timestamp,working_set_bytes\n1790000060,100\n1790000000,100\n";
    expect((await run("--input", file("order.csv", order), "--limit", "1Gi")).err).toContain(
      "line 3: timestamp 1790000000 is not after the previous row's",
    );
    const header = "time,working_set_bytes\n1,2\n";
    expect((await run("--input", file("header.csv", header), "--limit", "1Gi")).err).toContain(
      'line 1: unknown column "time"; the columns are timestamp, working_set_bytes, rss_bytes, restarts, oom_killed',
    );
    const ms = "timestamp,working_set_bytes\n1790000000000,100\n1790000060000,100\n";
    expect((await run("--input", file("ms.csv", ms), "--limit", "1Gi")).err).toContain("looks like milliseconds");
    const json =
      '[\n  {"timestamp": 1790000000, "working_set_bytes": 1},\n  {"timestamp": 1790000060, "working_set_bytes": -5}\n]';
    expect((await run("--input", file("bad.json", json), "--limit", "1Gi")).err).toContain(
      'line 3 (sample 2): working_set_bytes "-5" is not a number of bytes',
    );
    expect((await run("--input", file("broken.json", '[\n{"timestamp": 1,\n'), "--limit", "1Gi")).err).toMatch(
      /broken\.json: (line \d+: )?not valid JSON/,
    );
    expect((await run("--input", join(dir, "missing.csv"), "--limit", "1Gi")).err).toContain("cannot read");
  });

  it("bad arguments are usage errors", async () => {
    expect((await run("--limit", "1Gi")).err).toContain("--input FILE is required");
    const plain = file("plain.csv", "timestamp,working_set_bytes\n1790000000,100\n1790000300,100\n");
    expect(await run("--input", plain)).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining(
        "--limit is required (the container's memory limit, e.g. 512Mi, or none) unless the file has limit_bytes",
      ),
    });
    expect(await run("--input", "x.csv", "--limit", "lots")).toMatchObject({
      code: EXIT.usage,
      err: expect.stringContaining('--limit: "lots" is not a memory quantity'),
    });
    expect((await run("--input", "x.csv", "--limit", "1Gi", "--format", "xml")).err).toContain(
      "--format must be json or text",
    );
  });
});

describe("memops analyze with the limit in force at each sample (limit_bytes, request_bytes)", () => {
  // 36 h of an OOM cycle at 512Mi (a kill every 4 h), then the limit raised to 1Gi and 12 h that stay under it
  const rows = Array.from({ length: 48 * 12 }, (_, i) => {
    const t = END - (48 * 12 - 1 - i) * 300;
    const before = i < 36 * 12;
    const v = before ? 300 * MiB + ((i % 48) / 47) * 212 * MiB : 600 * MiB + (i % 7) * MiB;
    // each kill restarts the container: the restart counter goes up with the next sample
    const restarts = Math.min(9, Math.floor(i / 48));
    const row = [t, Math.round(v), restarts, before && i % 48 === 47 ? 1 : 0];
    return [...row, before ? 512 * MiB : 1024 * MiB, 256 * MiB].join(",");
  });
  const header = "timestamp,working_set_bytes,restarts,oom_killed,limit_bytes,request_bytes";
  const csv = file("raised.csv", [header, ...rows].join("\n"));

  it("judges the time before the raise by its own limit, reports the limits seen, and sizes from the limit now", async () => {
    const r = await run("--input", csv, "--format", "json");
    expect(r.code).toBe(EXIT.ok);
    const out = JSON.parse(r.out) as {
      classification: string;
      limits: { from: number; bytes: number }[];
      requests: { from: number; bytes: number }[];
      evidence: string;
      recommendation: { limitBytes: number; reason: string };
      window: { oomKills: number };
    };
    expect(out.limits).toEqual([
      { from: END - (48 * 12 - 1) * 300, bytes: 512 * MiB },
      { from: END - (12 * 12 - 1) * 300, bytes: 1024 * MiB },
    ]);
    expect(out.requests).toHaveLength(1);
    // the kills happened under 512Mi and the raise stopped them: the cycle is named with its end
    expect(out.window.oomKills).toBe(9);
    expect(out.classification).toBe("oom-cycle");
    expect(out.evidence).toMatch(/the limit was raised to 1Gi at .*, no OOM kill since/);
    // no floor above 1Gi (the kills were under 512Mi), and 1Gi, set 12 h ago, is not lowered yet
    expect(out.recommendation).toMatchObject({ limitBytes: 1024 * MiB });
    expect(out.recommendation.reason).toMatch(/^keep the limit: it was set 11h 5\dm ago, too little to lower it on/);
    // without the history, the same file read against a 512Mi limit is an OOM cycle to raise out of
    const flat = file(
      "raised-nolimits.csv",
      ["timestamp,working_set_bytes,restarts,oom_killed", ...rows.map((l) => l.split(",").slice(0, 4).join(","))].join(
        "\n",
      ),
    );
    const without = JSON.parse((await run("--input", flat, "--limit", "512Mi", "--format", "json")).out) as typeof out;
    expect(without.limits).toEqual([]);
    expect(without.classification).toBe("oom-cycle");
    expect(without.recommendation.limitBytes).toBeGreaterThanOrEqual(612 * MiB);
  });

  it("refuses a request above the limit and a zero limit, naming the line", async () => {
    const bad = file(
      "bad-limits.csv",
      "timestamp,working_set_bytes,limit_bytes,request_bytes\n1790000000,100,1000,2000\n",
    );
    expect((await run("--input", bad)).err).toContain("line 2: request_bytes 2000 is above limit_bytes 1000");
    const zero = file(
      "zero-limit.csv",
      "timestamp,working_set_bytes,limit_bytes\n1790000000,100,0\n1790000300,100,0\n",
    );
    expect((await run("--input", zero)).err).toContain("line 2: limit_bytes 0 is not a limit");
  });
});

describe("memops analyze refuses input that is not a measurement", () => {
  const csv = (rows: string[]) =>
    file(`bad-${rows.length}-${rows.at(-1)?.slice(0, 4)}.csv`, ["timestamp,working_set_bytes", ...rows].join("\n"));
  const good = (i: number) => `${END - 3600 + i * 60},${300 * MiB}`;

  it.each([
    ["2026-13-45T99:99:99Z", /line 3: timestamp "2026-13-45T99:99:99Z" is not a real time/],
    ["2026-02-30T10:00:00Z", /line 3: timestamp "2026-02-30T10:00:00Z" is not a real time/],
  ])("a timestamp out of range (%s) is an error naming the line", async (ts, message) => {
    const r = await run("--input", csv([good(0), `${ts},${300 * MiB}`]), "--limit", "512Mi");
    expect(r.code).toBe(EXIT.failure);
    expect(r.err).toMatch(message);
    expect(r.out).toBe("");
  });

  it("1.79e308 bytes is an error naming the line", async () => {
    const r = await run("--input", csv([good(0), good(1), `${END},1.79e308`]), "--limit", "512Mi");
    expect(r.code).toBe(EXIT.failure);
    expect(r.err).toMatch(/line 4: working_set_bytes 1\.79e308 is more memory than any machine has/);
  });

  it.each(["0", "0Mi", "2Ei"])("--limit %s is a usage error, not a recommendation of 'limit 0B'", async (limit) => {
    const r = await run("--input", csv([good(0), good(1), good(2)]), "--limit", limit);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("--limit must be more than 0 and at most 1Ei");
    expect(r.out).toBe("");
  });
});
