import {
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parsePolicy, type Policy } from "../../src/core/remediation/policy.ts";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import { PromMetrics } from "../../src/prometheus/prom-metrics.ts";
import type { EmuMessage } from "../../src/slack/emulator/workspace.ts";
import { ALICE, cardRecorded, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";

const env = inject("integration");
const BOB = "U0BOB",
  CAROL = "U0CAROL";

type Button = { action_id: string; value: string; text: { text: string } };
const buttons = (m: EmuMessage): Button[] =>
  (m.blocks as { type: string; elements?: Button[] }[])
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? []);

/** The Deployment as kubectl get -o json shows it, minus what every write changes. */
function comparable(d: V1Deployment): unknown {
  const copy = structuredClone(d) as V1Deployment & { metadata: Record<string, unknown> };
  for (const k of ["resourceVersion", "generation", "managedFields"]) delete copy.metadata[k];
  return JSON.parse(JSON.stringify(copy));
}

describe.skipIf(!!env.skipped)("remediation end to end on the real API server", () => {
  let h: Harness;
  let apps: AppsV1Api;
  beforeAll(async () => {
    const p = parsePolicy({
      rules: [
        {
          namespaces: ["scenarios"],
          actions: ["restart", "raise-limit", "scale-out"],
          request: ["*"],
          approve: ["S0SRE"],
        },
      ],
      identities: { [BOB]: { user: "bob@example.com" }, [CAROL]: { user: "carol@example.com" } },
    });
    if (!p.ok) throw new Error(p.error.join("; "));
    const policy: Policy = p.value;
    const bot = new KubeConfig();
    bot.loadFromFile(env.kubeconfig.bot);
    const admin = new KubeConfig();
    admin.loadFromFile(env.kubeconfig.admin);
    apps = admin.makeApiClient(AppsV1Api);
    h = await startHarness({
      cluster: new KubeCluster(fromKubeconfig(env.kubeconfig.bot)),
      metrics: new PromMetrics(env.prometheusUrl, 10_000),
      clock: { now: () => Date.now() / 1000 },
      policy,
      users: [ALICE, BOB, CAROL].map((id) => ({ id, name: id.slice(2).toLowerCase() })),
      usergroups: { S0SRE: [BOB, CAROL] },
    });
  });
  afterAll(async () => h?.stop());

  const ws = () => h.emulator.workspace;

  async function request(target: string, label: RegExp) {
    const before = ws().channelMessages(CHANNEL).length;
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: `diagnose ${target}` });
    const parent = await ws().waitFor(
      () =>
        ws()
          .channelMessages(CHANNEL)
          .slice(before)
          .find((m) => buttons(m).length > 0),
      20_000,
    );
    const offer = buttons(parent).find((b) => label.test(b.text.text));
    expect(
      offer,
      buttons(parent)
        .map((b) => b.text.text)
        .join(", "),
    ).toBeDefined();
    await h.slack.click({
      user: ALICE,
      channel: CHANNEL,
      messageTs: parent.ts,
      actionId: offer!.action_id,
      value: offer!.value,
    });
    const card = await ws().waitFor(
      () =>
        ws()
          .thread(CHANNEL, parent.ts)
          .find((m) => messageText(m).includes("Approval needed")),
      20_000,
    );
    await cardRecorded(h.store, offer!.value);
    return { parent, card, id: offer!.value };
  }

  it("raise the limit: dry run, a refused approver, then an allowed one; only the container's limit changes", async () => {
    const before = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "oom-cycle" });
    const { parent, card, id } = await request("deploy/oom-cycle -n scenarios", /Raise app limit to 640Mi/);
    expect(messageText(card)).toContain("accepted by the API server (dry run): app: limit 640Mi, request 256Mi");
    expect(messageText(card)).toContain(
      [
        "*Pre-flight checks*",
        ":white_check_mark: within the namespace's LimitRange maximum (4Gi)",
        ":white_check_mark: ResourceQuota scenarios (limits.memory) has room: needs 128Mi, 20Gi free",
        ":white_check_mark: a pod (requests 256Mi) fits the largest node (16Gi allocatable)",
      ].join("\n"),
    );

    await h.slack.click({ user: CAROL, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
    await ws().waitFor(() =>
      ws()
        .ephemeralFor(CAROL)
        .find((e) =>
          e.text.includes(
            "your Kubernetes identity (carol@example.com) may not patch deployments/oom-cycle in scenarios",
          ),
        ),
    );
    expect(comparable(await apps.readNamespacedDeployment({ namespace: "scenarios", name: "oom-cycle" }))).toEqual(
      comparable(before),
    );

    await h.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
    await ws().waitFor(
      () =>
        ws()
          .thread(CHANNEL, parent.ts)
          .find((m) => m.text.startsWith("Done:")),
      20_000,
    );
    const after = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "oom-cycle" });
    expect(after.spec!.template.spec!.containers[0]!.resources).toEqual({
      limits: { memory: "640Mi" },
      requests: { memory: "256Mi" },
    });
    const expected = structuredClone(before);
    expected.spec!.template.spec!.containers[0]!.resources!.limits = { memory: "640Mi" };
    expect(comparable(after)).toEqual(comparable(expected));
    expect(after.metadata!.generation).toBe(before.metadata!.generation! + 1);

    // No controllers run here: play the Deployment controller finishing the rollout, as kwok would.
    const r = after.spec!.replicas ?? 1;
    await apps.patchNamespacedDeploymentStatus(
      {
        namespace: "scenarios",
        name: "oom-cycle",
        body: {
          status: {
            observedGeneration: after.metadata!.generation,
            replicas: r,
            updatedReplicas: r,
            readyReplicas: r,
            availableReplicas: r,
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const verified = await ws().waitFor(
      () =>
        ws()
          .thread(CHANNEL, parent.ts)
          .find((m) => m.text.startsWith("Verified") || m.text.startsWith("Not verified")),
      30_000,
    );
    expect(messageText(verified)).toMatch(
      /^:white_check_mark: \*Verified:\* Raise the memory limit of app in deploy\/oom-cycle from 512Mi to 640Mi\n• rollout finished: 1\/1 updated, 1 available\n• no new OOM kills or restarts in 0s\n• memory at most \d+% of its limit \(oom-cycle-5c6d7e8f9a-a1b2c\/app: [\d.]+Mi of 640Mi\)$/,
    );
  });

  it("a Flux-managed Deployment: the HelmRelease's values change, the live Deployment does not", async () => {
    const admin = new KubeConfig();
    admin.loadFromFile(env.kubeconfig.admin);
    const custom = admin.makeApiClient(CustomObjectsApi);
    const release = () =>
      custom.getNamespacedCustomObject({
        group: "helm.toolkit.fluxcd.io",
        version: "v2",
        namespace: "flux-system",
        plural: "helmreleases",
        name: "flux-app",
      }) as Promise<{ metadata: { annotations?: Record<string, string> }; spec: { values: unknown } }>;
    const before = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "flux-app" });
    await h.slack.slash({
      user: ALICE,
      channel: CHANNEL,
      text: "limit deploy/flux-app -n scenarios --container app 1536Mi",
    });
    const card = await ws().waitFor(
      () =>
        ws()
          .channelMessages(CHANNEL)
          .find((m) => messageText(m).includes("Approval needed: Raise the memory limit of app in deploy/flux-app")),
      20_000,
    );
    expect(messageText(card)).toContain(
      "HelmRelease flux-system/flux-app spec.values.resources.limits.memory: 1Gi → 1.5Gi",
    );
    expect(messageText(card)).toMatch(
      /accepted by the API server \(dry run\): HelmRelease flux-system\/flux-app values; generation \d+/,
    );
    const id = buttons(card).find((b) => b.action_id === "mem:approve")!.value;
    await cardRecorded(h.store, id);
    await h.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
    await ws().waitFor(
      () =>
        ws()
          .thread(CHANNEL, card.ts)
          .find((m) => m.text.startsWith("Done:")),
      20_000,
    );
    const hr = await release();
    expect(hr.spec.values).toEqual({
      replicaCount: 1,
      resources: { requests: { memory: "256Mi" }, limits: { memory: "1.5Gi" } },
    });
    expect(hr.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(comparable(await apps.readNamespacedDeployment({ namespace: "scenarios", name: "flux-app" }))).toEqual(
      comparable(before),
    );
  });

  it("a HelmRelease edited after the card was made: the API server refuses the preconditioned patch (409), values unchanged", async () => {
    const admin = new KubeConfig();
    admin.loadFromFile(env.kubeconfig.admin);
    const custom = admin.makeApiClient(CustomObjectsApi);
    const ref = {
      group: "helm.toolkit.fluxcd.io",
      version: "v2",
      namespace: "flux-system",
      plural: "helmreleases",
      name: "flux-app",
    };
    const release = () => custom.getNamespacedCustomObject(ref) as Promise<{ spec: { values: unknown } }>;
    await h.slack.slash({
      user: ALICE,
      channel: CHANNEL,
      text: "limit deploy/flux-app -n scenarios --container app 2Gi",
    });
    const card = await ws().waitFor(
      () =>
        ws()
          .channelMessages(CHANNEL)
          .find(
            (m) =>
              messageText(m).includes("Approval needed: Raise the memory limit of app in deploy/flux-app") &&
              messageText(m).includes("2Gi"),
          ),
      20_000,
    );
    // someone edits the release meanwhile (its resourceVersion moves on)
    await custom.patchNamespacedCustomObject(
      { ...ref, body: { metadata: { annotations: { "example.com/edited-by": "someone" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const valuesBefore = (await release()).spec.values;
    const id = buttons(card).find((b) => b.action_id === "mem:approve")!.value;
    await cardRecorded(h.store, id);
    await h.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
    const notRun = await ws().waitFor(
      () =>
        ws()
          .thread(CHANNEL, card.ts)
          .find((m) => m.text.startsWith("Not run:")),
      20_000,
    );
    expect(messageText(notRun)).toContain("the HelmRelease changed since this card was made");
    expect((await release()).spec.values).toEqual(valuesBefore);
  });

  it("self-approval, a forged id and 20 concurrent approvals with replays: one patch, on the real API server", async () => {
    const before = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "leak" });
    const { parent, card, id } = await request("deploy/leak -n scenarios", /Rolling restart/);
    const click = (user: string, value = id) =>
      h.slack.click({ user, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value });
    await click(ALICE);
    await ws().waitFor(() =>
      ws()
        .ephemeralFor(ALICE)
        .find((e) => e.text === "you asked for this change: another person must approve it"),
    );
    await click(BOB, "00000000-forged-0000-0000-000000000000");
    await ws().waitFor(() =>
      ws()
        .ephemeralFor(BOB)
        .find((e) => e.text.startsWith("memops has no such request")),
    );
    expect((await apps.readNamespacedDeployment({ namespace: "scenarios", name: "leak" })).metadata!.generation).toBe(
      before.metadata!.generation,
    );

    await Promise.all(Array.from({ length: 20 }, () => click(BOB)));
    await ws().waitFor(
      () =>
        ws()
          .thread(CHANNEL, parent.ts)
          .find((m) => m.text.startsWith("Done:")),
      20_000,
    );
    await click(BOB);
    await ws().waitFor(() =>
      ws()
        .ephemeralFor(BOB)
        .find((e) => e.text === "already executed by <@U0BOB>"),
    );
    const after = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "leak" });
    expect(after.metadata!.generation).toBe(before.metadata!.generation! + 1);
    expect(after.spec!.template.metadata!.annotations?.["kubectl.kubernetes.io/restartedAt"]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const patches = readFileSync(env.auditLog, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { verb: string; requestURI: string; stage: string })
      .filter(
        (e) =>
          e.verb === "patch" &&
          e.stage === "ResponseComplete" &&
          e.requestURI.includes("/deployments/leak") &&
          !e.requestURI.includes("dryRun"),
      );
    expect(patches).toHaveLength(1);
  });

  it("a card made for 1Gi is refused atomically by the API server after someone else changed the limit; nothing changes", async () => {
    await h.slack.slash({
      user: ALICE,
      channel: CHANNEL,
      text: "limit deploy/quiet -n scenarios --container app 1280Mi",
    });
    const card = await ws().waitFor(
      () =>
        ws()
          .channelMessages(CHANNEL)
          .find((m) =>
            messageText(m).includes(
              "Approval needed: Raise the memory limit of app in deploy/quiet from 1Gi to 1.25Gi",
            ),
          ),
      20_000,
    );
    const id = buttons(card).find((b) => b.action_id === "mem:approve")!.value;
    await cardRecorded(h.store, id);
    // someone with kubectl raises it meanwhile
    await apps.patchNamespacedDeployment(
      {
        namespace: "scenarios",
        name: "quiet",
        body: {
          spec: { template: { spec: { containers: [{ name: "app", resources: { limits: { memory: "1536Mi" } } }] } } },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const before = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "quiet" });
    await h.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
    const notRun = await ws().waitFor(
      () =>
        ws()
          .thread(CHANNEL, card.ts)
          .find((m) => m.text.startsWith("Not run:") || m.text.startsWith("Failed")),
      20_000,
    );
    expect(messageText(notRun)).toContain(
      "made for 1Gi; the limit of app is now 1.5Gi — ask again. Nothing was changed.",
    );
    expect(buttons(ws().message(CHANNEL, card.ts)!)).toEqual([]);
    expect(comparable(await apps.readNamespacedDeployment({ namespace: "scenarios", name: "quiet" }))).toEqual(
      comparable(before),
    );
    await new Promise((r) => setTimeout(r, 1500));
    // the API server's own audit log (it records memops's identity): one preconditioned patch, refused with 422, none applied
    const patches = readFileSync(env.auditLog, "utf8")
      .split("\n")
      .filter(Boolean)
      .map(
        (l) => JSON.parse(l) as { verb: string; requestURI: string; stage: string; responseStatus?: { code?: number } },
      )
      .filter(
        (e) =>
          e.verb === "patch" &&
          e.stage === "ResponseComplete" &&
          e.requestURI.includes("/deployments/quiet") &&
          !e.requestURI.includes("dryRun"),
      );
    expect(patches.map((e) => e.responseStatus?.code)).toEqual([422]);
  });

  it("scale out: replicas = ceil(current × usage / target), and nothing else changes", async () => {
    const before = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "limit-too-low" });
    const { parent, card, id } = await request("deploy/limit-too-low -n scenarios", /Scale to 2 replicas/);
    expect(messageText(card)).toContain("spec.replicas: 1 → 2");
    await h.slack.click({ user: BOB, channel: CHANNEL, messageTs: card.ts, actionId: "mem:approve", value: id });
    await ws().waitFor(
      () =>
        ws()
          .thread(CHANNEL, parent.ts)
          .find((m) => m.text.startsWith("Done:")),
      20_000,
    );
    const after = await apps.readNamespacedDeployment({ namespace: "scenarios", name: "limit-too-low" });
    expect(comparable(after)).toEqual(comparable({ ...before, spec: { ...before.spec!, replicas: 2 } }));
  });
});
