import { readFile } from "node:fs/promises";
import { parseFlags } from "../../core/args.ts";
import { analysisText, analyzeTrace } from "../../core/analyze.ts";
import { parseQuantity } from "../../core/quantity.ts";
import { ok } from "../../core/result.ts";
import { parseTrace } from "../../core/trace-file.ts";
import { type CliCommand, EXIT } from "../cli.ts";

export const analyze: CliCommand = {
  name: "analyze",
  summary: "classify, forecast and size one container from a CSV or JSON file of samples",
  help: `Usage: memops analyze --input FILE --limit 512Mi [--request 256Mi] [--max-factor 2] [--format json|text]

FILE is CSV with a header (timestamp,working_set_bytes and optionally rss_bytes,restarts,oom_killed,
limit_bytes,request_bytes; timestamps in Unix seconds or RFC 3339) or JSON: an array of objects with the
same fields. limit_bytes and request_bytes are what was in force at each sample (an empty cell keeps the
one before): each moment is judged by the limit then, and --limit and --request default to the last ones.
--limit none analyses a container without a limit. The analysis is as of the last sample.`,
  async run({ args, io, usage }) {
    const parsed = parseFlags(args, {
      input: ["--input", "-i"],
      limit: ["--limit"],
      request: ["--request"],
      format: ["--format", "-o"],
      "max-factor": ["--max-factor"],
    });
    if (!parsed.ok) return usage(parsed.error);
    const { input, limit, request, format = "text", "max-factor": factor = "2" } = parsed.value.flags;
    if (parsed.value.positionals.length > 0) return usage(`unexpected argument "${parsed.value.positionals[0]}"`);
    if (!input) return usage("--input FILE is required");
    if (format !== "json" && format !== "text") return usage("--format must be json or text");
    const limitBytes = !limit || limit === "none" ? ok(null) : parseQuantity(limit);
    if (!limitBytes.ok) return usage(`--limit: ${limitBytes.error}`);
    if (limitBytes.value !== null && (limitBytes.value < 1 || limitBytes.value > 2 ** 60))
      return usage(
        `--limit must be more than 0 and at most 1Ei (or none for a container without a limit), not ${limit}`,
      );
    const requestBytes = request ? parseQuantity(request) : ok(null);
    if (!requestBytes.ok) return usage(`--request: ${requestBytes.error}`);
    const maxFactor = Number(factor);
    if (!(maxFactor > 1)) return usage(`--max-factor must be a number above 1 (got "${factor}")`);
    let text: string;
    try {
      text = await readFile(input, "utf8");
    } catch (e) {
      io.err(`memops analyze: cannot read ${input}: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.failure;
    }
    const trace = parseTrace(text);
    if (!trace.ok) {
      io.err(`memops analyze: ${input}: ${trace.error}`);
      return EXIT.failure;
    }
    const fileLimit = trace.value.limits?.at(-1)?.bytes ?? null;
    if (!limit && fileLimit === null)
      return usage(
        "--limit is required (the container's memory limit, e.g. 512Mi, or none) unless the file has limit_bytes",
      );
    const current = limit ? limitBytes.value : fileLimit;
    const result = analyzeTrace(trace.value, {
      limitBytes: current,
      requestBytes: request ? requestBytes.value : (trace.value.requests?.at(-1)?.bytes ?? null),
      maxFactor,
    });
    io.out(format === "json" ? JSON.stringify(result, null, 2) : analysisText(result, current));
    return EXIT.ok;
  },
};
