import { describe, expect, inject, it } from "vitest";
import { freshSchema } from "../support/postgres.ts";

const env = inject("integration");

describe.skipIf(!!env.skipped)("PostgreSQL for the tests that need it", () => {
  it("gives each test its own schema and drops it afterwards", async () => {
    const a = await freshSchema();
    const b = await freshSchema();
    try {
      await a.client.query("CREATE TABLE audit (id serial PRIMARY KEY, what text NOT NULL)");
      await a.client.query("INSERT INTO audit (what) VALUES ('diagnose')");
      await b.client.query("CREATE TABLE audit (id serial PRIMARY KEY, what text NOT NULL)");
      expect((await a.client.query("SELECT count(*)::int AS n FROM audit")).rows[0]).toEqual({ n: 1 });
      expect((await b.client.query("SELECT count(*)::int AS n FROM audit")).rows[0]).toEqual({ n: 0 });
    } finally {
      await a.drop();
      await b.drop();
    }
    const check = await freshSchema();
    try {
      const left = await check.client.query(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY($1)",
        [[a.schema, b.schema]],
      );
      expect(left.rows).toEqual([]);
    } finally {
      await check.drop();
    }
  });
});
