// Preloaded into a `memops` subprocess by cli-loads.test.ts: at exit, the packages it loaded, one per line on fd 3.
const { registerHooks } = require("node:module");
const { writeSync } = require("node:fs");
const packages = new Set();
registerHooks({
  load(url, context, next) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) packages.add(m[1]);
    return next(url, context);
  },
});
process.on("exit", () => writeSync(3, [...packages].sort().join("\n")));
