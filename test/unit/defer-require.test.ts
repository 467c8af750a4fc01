import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { deferRequire } from "../../src/defer-require.ts";

const uses = fileURLToPath(new URL("./defer-require/uses-heavy.cjs", import.meta.url));
const loads = () => (globalThis as { heavyLoads?: number }).heavyLoads ?? 0;

describe("deferRequire", () => {
  it("loads a package its dependent requires at load only when the dependent first uses it, once", () => {
    deferRequire(uses, "./heavy.cjs");
    const { greetLater, heavyKeys } = createRequire(import.meta.url)(uses) as {
      greetLater: (n: string) => string;
      heavyKeys: () => string[];
    };
    expect(loads()).toBe(0);
    expect(greetLater("sre")).toBe("hello sre");
    expect(loads()).toBe(1);
    // enumerating it works too (a non-configurable __esModule does not break the stand-in), and a
    // later require gets the real package, not a second copy
    expect(heavyKeys()).toEqual(["greet"]);
    expect((createRequire(uses)("./heavy.cjs") as { greet: unknown }).greet).toBeTypeOf("function");
    expect(loads()).toBe(1);
  });
});
