/**
 * Defers a CommonJS package that a dependency requires at load but uses only in a code path memops
 * may never take (Bolt's Socket Mode client and OAuth installer over HTTP, prom-client's OpenTelemetry
 * exemplars): the require cache is seeded with a stand-in whose first property access loads the real
 * package, so a path that does use it behaves as before, and one that does not never pays for it
 * (BENCHMARKS.md, issue 13: undici, jsonwebtoken, semver, @opentelemetry/api at idle).
 */
import { createRequire, Module } from "node:module";

export function deferRequire(fromPackage: string, specifier: string): void {
  const from = createRequire(createRequire(import.meta.url).resolve(fromPackage));
  const path = from.resolve(specifier);
  if (from.cache[path]) return;
  let real: object | undefined;
  const load = (): object => {
    if (!real) {
      // the stand-in leaves the cache first, so the real package is loaded (and cached) as usual
      delete from.cache[path];
      real = from(specifier) as object;
    }
    return real;
  };
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = new Proxy(
    {},
    {
      get: (_, key): unknown => Reflect.get(load(), key),
      has: (_, key) => Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), key);
        // a proxy may not report a non-configurable property its (empty) target lacks
        return d && { ...d, configurable: true };
      },
    },
  );
  from.cache[path] = standIn;
}
