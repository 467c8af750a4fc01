#!/usr/bin/env node
// Checks the Node.js version before loading anything that would fail on an older one.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`memops needs Node.js 22.13 or newer (24 LTS recommended); this is ${process.version}\n`);
  process.exit(2);
}
await import("../dist/src/main.js");
