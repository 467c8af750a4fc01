import { describe, expect, it } from "vitest";
import { channelMay } from "../../../../src/core/remediation/policy.ts";
import { loadPolicy } from "../../../../src/load-policy.ts";

describe("the example policy a newcomer copies", () => {
  it("is valid, and binds channels to namespaces as its comments say", async () => {
    const p = await loadPolicy("deploy/examples/policy.yaml");
    if (!p.ok) throw new Error(p.error.join("\n"));
    expect(channelMay(p.value, "C0PAYMENTS", "billing-eu").ok).toBe(true);
    expect(channelMay(p.value, "C0PAYMENTS", "shop")).toEqual({
      ok: false,
      error: "this channel may diagnose payments, billing-*, not namespace shop",
    });
    expect(channelMay(p.value, "C0INCIDENTS", "anything").ok).toBe(true);
    expect(channelMay(p.value, "C0NOTBOUND", "shop").ok).toBe(false);
    expect(channelMay(p.value, "constructor", "shop").ok).toBe(false);
    expect(p.value.diagnoseAccess).toBe("subject-access-review");
  });
});
