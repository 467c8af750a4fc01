/** A schema check whose message is the checker's own error ("not a duration: …"), not a fixed text. */
import * as v from "valibot";

type Checked = { ok: true } | { ok: false; error: string };

export function checkedBy<T>(check: (value: T) => Checked) {
  return v.check<T, (issue: v.CheckIssue<T>) => string>(
    (value) => check(value).ok,
    (issue) => {
      const r = check(issue.input);
      return r.ok ? "invalid" : r.error;
    },
  );
}

/** `schema` with a description for the JSON Schema (editors show it on hover). */
export const described = <S extends v.GenericSchema>(schema: S, text: string) => v.pipe(schema, v.description(text));
