/** Schema steps built on memops's own checkers and parsers: their error is the issue's message. */
import * as v from "valibot";
import type { Result } from "./result.ts";

/** A check whose message is the checker's own error ("not a pattern memops can run …"); run once. */
export function checkedBy<T>(check: (value: T) => { ok: true } | { ok: false; error: string }) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const r = check(dataset.value);
    if (!r.ok) addIssue({ message: r.error });
  });
}

/** The parser's value in place of the input, parsed once; on failure its error, or `message` if given. */
export function parsedBy<T, U>(parse: (value: T) => Result<U>, message?: string) {
  return v.rawTransform<T, U>(({ dataset, addIssue, NEVER }) => {
    const r = parse(dataset.value);
    if (r.ok) return r.value;
    addIssue({ message: message ?? r.error });
    return NEVER;
  });
}

/** `schema` with a description for the JSON Schema (editors show it on hover). */
export const described = <S extends v.GenericSchema>(schema: S, text: string) => v.pipe(schema, v.description(text));
