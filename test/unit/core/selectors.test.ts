import { describe, expect, it } from "vitest";
import { matchesSelector } from "../../../src/core/selectors.ts";

const pod = { app: "checkout", tier: "web" };

describe("matchesSelector, as the API server reads a label selector", () => {
  it.each([
    ["app=checkout", true],
    ["app==checkout,tier=web", true],
    ["app!=checkout", false],
    ["app = checkout", true],
    ["tier", true],
    ["!tier", false],
    ["app in (cart,checkout)", true],
    ["app in (cart, search)", false],
    ["app notin (cart,search),tier=web", true],
    // notin matches a pod without the label at all, as Kubernetes does; in does not
    ["team notin (payments)", true],
    ["team in (payments)", false],
  ])("%s → %s", (selector, expected) => {
    expect(matchesSelector(pod, selector)).toBe(expected);
  });
});
