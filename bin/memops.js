#!/usr/bin/env node
// Checks the Node.js version before loading anything that would fail on an older one.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`memops needs Node.js 22.13 or newer (24 LTS recommended); this is ${process.version}\n`);
  process.exit(2);
}
// A command-line run keeps V8's compiled code in the user's own cache directory, so the next one skips
// compiling the schema library, the YAML parser and memops (~60 ms of `memops validate`'s 0.35 s with zod,
// on a slow core).
// Not for the long-running commands: mapping the cache in costs a server more memory than it saves time.
const command = process.argv[2];
if (command !== "serve" && command !== "playground") {
  const [{ enableCompileCache }, { homedir }, { join }] = await Promise.all([
    import("node:module"),
    import("node:os"),
    import("node:path"),
  ]);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  enableCompileCache?.(join(base, "memops", "compile-cache"));
}
await import("../dist/src/main.js");
