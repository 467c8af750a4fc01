// Preloaded into `memops serve` by serve-loads.test.ts: at exit, whether Node's bundled undici was loaded, on fd 3.
const { writeSync } = require("node:fs");
process.on("exit", () => {
  const loaded = process.moduleLoadList.some((m) => m.includes("internal/deps/undici"));
  writeSync(3, `undici loaded: ${loaded ? "yes" : "no"}\n`);
});
