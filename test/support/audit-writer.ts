/** A child process for the durability test: appends audit entries and says "ack N" after each is durable. */
import { SqliteStore } from "../../src/store/sqlite-store.ts";

const store = new SqliteStore(process.argv[2] ?? "");
for (let i = 0; ; i++) {
  const e = await store.appendAudit({ at: Date.now() / 1000, kind: "mutation", slackUser: "U0BOB", kubernetesIdentity: "system:serviceaccount:memops:memops", target: "deployment/api -n shop", what: `patch #${i}`, outcome: "ok", details: { i, patch: { spec: { replicas: i } } } });
  process.stdout.write(`ack ${e.seq}\n`);
}
