/** A child process for the durability tests: appends audit entries and says "ack N" once each is durable. */
import type { Store } from "../../src/ports.ts";
import { PostgresStore } from "../../src/store/postgres-store.ts";
import { SqliteStore } from "../../src/store/sqlite-store.ts";

const [kind, where, schema] = process.argv.slice(2);
const store: Store =
  kind === "postgres" ? new PostgresStore(where ?? "", schema ? { schema, max: 2 } : {}) : new SqliteStore(where ?? "");
for (let i = 0; ; i++) {
  const e = await store.appendAudit({
    at: Date.now() / 1000,
    kind: "mutation",
    slackUser: "U0BOB",
    kubernetesIdentity: "system:serviceaccount:memops:memops",
    target: { kind: "deployment", name: "api", namespace: "shop" },
    what: `patch #${i}`,
    outcome: "ok",
    details: { i, patch: { spec: { replicas: i } } },
  });
  process.stdout.write(`ack ${e.seq}\n`);
}
