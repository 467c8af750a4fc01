/**
 * A runbook's own log pattern, run on RE2 (re2js: pure JavaScript, linear time in the line's length).
 * JavaScript's backtracking engine takes exponential time on patterns like `^(a+)+$`, and a log line is
 * written by whoever runs in the pod: one such line would stall every request memops serves.
 */
import { RE2JS } from "re2js";
import { err, ok, type Result } from "./result.ts";

/** What grepping a log needs of a pattern. */
export interface LineMatcher {
  test(line: string): boolean;
}

/** Compiles case-insensitively; an error names what RE2 does not support (backreferences, lookaround). */
export function compileLinePattern(source: string): Result<LineMatcher> {
  try {
    const re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
    return ok({ test: (line) => re.test(line) });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return err(`not a pattern memops can run in linear time (RE2 syntax; no backreferences or lookaround): ${why}`);
  }
}
