import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import { proposalFixture, storeContract } from "../../support/store-contract.ts";

storeContract("SQLite", async () => new SqliteStore(join(mkdtempSync(join(tmpdir(), "memops-")), "memops.db")));

describe("SQLite store on disk", () => {
  it("migrates once and keeps data across reopen", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "memops-")), "nested", "memops.db");
    const a = new SqliteStore(file);
    await a.insertProposal(proposalFixture("kept"));
    await a.close();
    const b = new SqliteStore(file);
    expect((await b.proposal("kept"))?.id).toBe("kept");
    await b.close();
  });
});
