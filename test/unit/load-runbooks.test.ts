import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runbookJsonSchema } from "../../src/core/runbook-json-schema.ts";
import { loadRunbooks } from "../../src/load-runbooks.ts";

describe("runbooks on disk", () => {
  it("the shipped runbooks are valid", async () => {
    const r = await loadRunbooks("runbooks");
    expect(r.ok && r.value.map((x) => x.id).sort()).toEqual(["high-memory", "oomkilled", "operator-memory"]);
  });

  it("the committed JSON Schema matches the runbook schema (run `npm run runbooks:schema`)", async () => {
    expect(JSON.parse(await readFile("runbooks/runbook.schema.json", "utf8"))).toEqual(runbookJsonSchema());
  });

  it("reports every problem as file:path: message, and broken YAML with its line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "runbooks-"));
    await writeFile(
      join(dir, "a.yaml"),
      "id: a\ntitle: A\nmatch: { targets: [deployment] }\nsteps:\n  - kind: usage-vs-limit\n",
    );
    await writeFile(
      join(dir, "d.yaml"),
      "id: d\ntitle: D\nmatch: { targets: [deployment] }\nsteps:\n  - kind: usage-vs-limit\n  - kind: nope\n",
    );
    await writeFile(join(dir, "b.yaml"), "id: b\ntitle: [unclosed\n");
    await writeFile(
      join(dir, "c.yaml"),
      "id: a\ntitle: C\nmatch: { targets: [pod] }\nsteps: [{ kind: oom-history }]\n",
    );
    const r = await loadRunbooks(dir);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/d\.yaml:steps\.1\.kind: /),
          expect.stringMatching(/b\.yaml:\d+: /),
          expect.stringMatching(/c\.yaml:id: "a" is already used by .*a\.yaml/),
        ]),
      );
    }
  });

  it("a missing directory is a clear error", async () => {
    expect(await loadRunbooks("/nonexistent/runbooks")).toEqual({
      ok: false,
      error: ["/nonexistent/runbooks: cannot read the runbooks directory (ENOENT)"],
    });
  });
});
