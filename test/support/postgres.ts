import { randomBytes } from "node:crypto";
import pg from "pg";

export const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/** A fresh schema on the machine's PostgreSQL for one test, dropped by `drop()`. */
export async function freshSchema(
  url = DATABASE_URL,
): Promise<{ client: pg.Client; schema: string; drop(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const schema = `it_${randomBytes(6).toString("hex")}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  return {
    client,
    schema,
    drop: async () => {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

export async function postgresReachable(url = DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (e) {
    return `PostgreSQL at ${url} is not reachable (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
