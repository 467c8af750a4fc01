/** The runbook format as JSON Schema, for editors (`memops schema`); checks that are code are left out. */
import { toJsonSchema } from "@valibot/to-json-schema";
import { runbookSchema } from "./runbook.ts";

export const runbookJsonSchema = (): unknown => toJsonSchema(runbookSchema, { typeMode: "input", errorMode: "ignore" });
