import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { AuthorizationV1Api, KubeConfig, type V1PodSpec } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { podRequestBytes } from "../../src/core/model.ts";
import { listAllPods, resolveTarget } from "../../src/engine/resolve-target.ts";
import { kubeError } from "../../src/kubernetes/errors.ts";
import { KubeCluster } from "../../src/kubernetes/kube-cluster.ts";
import type { PodQuery } from "../../src/ports.ts";
import { BOT_USER, KUBECTL } from "../support/control-plane.ts";
import { BULK_PODS } from "../support/integration-world.ts";
import { adminClients } from "../support/seed-cluster.ts";
import { fromKubeconfig } from "../../src/kubernetes/kube-config.ts";
import { KubeHttp, PATCH } from "../../src/kubernetes/kube-http.ts";
import { jsonPodListRequests } from "../../src/kubernetes/node-requests.ts";

const env = inject("integration");

function botConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig.bot);
  return kc;
}

/** The adapter under test, counting its list calls. */
class CountingCluster extends KubeCluster {
  readonly pages: PodQuery[] = [];
  override listPods(namespace: string | null, q: PodQuery) {
    this.pages.push(q);
    return super.listPods(namespace, q);
  }
}

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type Manifest = {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { name: string };
};

/** `kubectl kustomize DIR`, parsed. */
function rendered(dir: string): Manifest[] {
  return parseAllDocuments(execFileSync(KUBECTL, ["kustomize", dir], { encoding: "utf8" })).map(
    (d) => d.toJS() as Manifest,
  );
}

const ruleStrings = (rules: Rule[]) =>
  rules.flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))),
  );

const allRules = (objects: Manifest[]) =>
  [...new Set(objects.filter((o) => o.kind === "ClusterRole").flatMap((o) => ruleStrings(o.rules ?? [])))].sort();

/** What memops's ServiceAccount may do in a namespace by these manifests: cluster-wide bindings plus that namespace's. */
function expectedRules(objects: Manifest[], namespace: string): string[] {
  const roles = new Map(objects.filter((o) => o.kind === "ClusterRole").map((o) => [o.metadata.name, o.rules ?? []]));
  const bound = objects.filter(
    (o) => o.kind === "ClusterRoleBinding" || (o.kind === "RoleBinding" && o.metadata.namespace === namespace),
  );
  return [...new Set(bound.flatMap((b) => ruleStrings(roles.get(b.roleRef!.name) ?? [])))].sort();
}

describe.skipIf(!!env.skipped)("Kubernetes adapter, as memops's own identity, on a real API server", () => {
  let cluster: CountingCluster;
  beforeAll(() => {
    cluster = new CountingCluster(fromKubeconfig(env.kubeconfig.bot));
  });

  it("follows owner chains: a Deployment's pods are those its ReplicaSet owns", async () => {
    const d = await resolveTarget(cluster, { kind: "deployment", name: "api", namespace: "shop" });
    expect(d.ok && d.value.pods.map((p) => p.name).sort()).toEqual([
      "api-7d9c8f6b5d-k8s7d",
      "api-7d9c8f6b5d-p0v2n",
      "api-7d9c8f6b5d-x2x9q",
    ]);
    const p = await resolveTarget(cluster, { kind: "pod", name: "api-7d9c8f6b5d-x2x9q", namespace: "shop" });
    expect(p.ok && p.value.ownerChain).toEqual([
      "Pod api-7d9c8f6b5d-x2x9q",
      "ReplicaSet api-7d9c8f6b5d",
      "Deployment api",
    ]);
    const s = await resolveTarget(cluster, { kind: "any", name: "db", namespace: "shop" });
    expect(s.ok && [s.value.kind, s.value.pods.map((x) => x.name)]).toEqual(["statefulset", ["db-0"]]);
  });

  it("translates statuses: restart counts, last termination reasons, limits and requests", async () => {
    const pod = await cluster.getPod("shop", "api-7d9c8f6b5d-x2x9q");
    expect(pod?.containers.find((c) => c.name === "api")).toEqual({
      name: "api",
      requestBytes: 256 * 2 ** 20,
      limitBytes: 512 * 2 ** 20,
    });
    expect(pod?.statuses.find((c) => c.name === "api")).toMatchObject({
      restartCount: 4,
      waitingReason: "CrashLoopBackOff",
      lastTerminated: { reason: "OOMKilled", exitCode: 137, finishedAt: env.now - 720 },
    });
    const node = await cluster.getNode("node-a");
    expect(node).toEqual({
      name: "node-a",
      memoryPressure: true,
      allocatableBytes: 8 * 2 ** 30,
      capacityBytes: 8 * 2 ** 30,
    });
  });

  it(`reads ${BULK_PODS} pods page by page`, async () => {
    cluster.pages.length = 0;
    const r = await resolveTarget(cluster, { kind: "namespace", name: "bulk", namespace: "bulk" });
    expect(r.ok && r.value.pods).toHaveLength(BULK_PODS);
    expect(cluster.pages.map((q) => [q.limit, !!q.continueToken])).toEqual([
      [500, false],
      [500, true],
      [500, true],
    ]);
    expect(await cluster.countObjects("v1", "Pod", "bulk")).toEqual({ count: BULK_PODS, estimated: true });
    expect(await cluster.countObjects("apps/v1", "ReplicaSet", "bulk")).toEqual({ count: 1, estimated: false });
  });

  it("sums what a node's pods request from the protobuf list: the JSON list's figure, init containers and sidecars as the scheduler counts them, finished pods left out", async () => {
    const { core } = adminClients(env.kubeconfig.admin);
    const onNodeA = async () => {
      const pods = await listAllPods(cluster, null, undefined, "spec.nodeName=node-a");
      const running = pods.filter((p) => p.phase !== "Succeeded" && p.phase !== "Failed");
      return { pods: running.length, requestedBytes: running.reduce((sum, p) => sum + podRequestBytes(p), 0) };
    };
    // 600 bulk pods and the shop's on node-a: as many bytes as the JSON pods' requests add up to
    expect(await cluster.nodeRequests("node-a")).toEqual(await onNodeA());

    const Mi = 2 ** 20;
    const container = (name: string, memory: string) => ({
      name,
      image: "example.invalid/app",
      resources: { requests: { memory } },
    });
    const sidecar = (name: string, memory: string) => ({ ...container(name, memory), restartPolicy: "Always" });
    /** a pod on node-c, in a namespace of its own (no other test's figures move) */
    const onNodeC = (name: string, spec: Omit<V1PodSpec, "nodeName">) =>
      core.createNamespacedPod({
        namespace: "node-requests",
        body: { metadata: { name }, spec: { nodeName: "node-c", ...spec } },
      });
    await core.createNamespace({ body: { metadata: { name: "node-requests" } } });
    // a 300Mi migration runs before the app (150Mi) and its 20Mi sidecar: the pod needs the larger, 300Mi
    await onNodeC("with-init", {
      initContainers: [container("migrate", "300Mi"), sidecar("proxy", "20Mi")],
      containers: [container("app", "100Mi"), container("agent", "50Mi")],
    });
    // a 100Mi init and two 60Mi sidecars beside a 40Mi app: the sidecars run with the app, 160Mi
    await onNodeC("sidecars", {
      initContainers: [container("init", "100Mi"), sidecar("mesh", "60Mi"), sidecar("logs", "60Mi")],
      containers: [container("app", "40Mi")],
    });
    await onNodeC("done", { containers: [container("job", "1Gi")] });
    const done = await core.readNamespacedPod({ namespace: "node-requests", name: "done" });
    await core.replaceNamespacedPodStatus({
      namespace: "node-requests",
      name: "done",
      body: { ...done, status: { phase: "Succeeded" } },
    });
    expect(await cluster.nodeRequests("node-c")).toEqual({ pods: 2, requestedBytes: (300 + 160) * Mi });
    // it was protobuf; JSON, for a server that only answers JSON, counts the same
    const http = new KubeHttp(fromKubeconfig(env.kubeconfig.bot));
    const query = { fieldSelector: "spec.nodeName=node-c,status.phase!=Succeeded" };
    expect((await http.protobuf("/api/v1/pods", query)).contentType).toBe("application/vnd.kubernetes.protobuf");
    expect(jsonPodListRequests(await http.get("/api/v1/pods", query))).toEqual({
      pods: 2,
      requestedBytes: (300 + 160) * Mi,
      continueToken: null,
    });
    expect(await cluster.nodeRequests("no-such-node")).toEqual({ pods: 0, requestedBytes: 0 });
  });

  it("selects events by field: only the pod's own, and the node's OOM kill", async () => {
    const podEvents = await cluster.listEvents(
      "shop",
      "involvedObject.kind=Pod,involvedObject.name=api-7d9c8f6b5d-x2x9q",
      50,
    );
    expect(podEvents.map((e) => [e.reason, e.count])).toEqual([["BackOff", 7]]);
    const nodeEvents = await cluster.listEvents(null, "involvedObject.kind=Node,involvedObject.name=node-a", 50);
    expect(nodeEvents.map((e) => e.reason)).toEqual(["OOMKilling"]);
  });

  it("reads current and previous logs through the API server", async () => {
    expect(await cluster.readLog("shop", "api-7d9c8f6b5d-x2x9q", "api", { previous: true, tailLines: 2 })).toBe(
      "2026-11-21T07:58:40Z INFO connecting to postgres://app:hunter2@db:5432/shop password=hunter2\n2026-11-21T07:59:03Z ERROR java.lang.OutOfMemoryError: Java heap space",
    );
    expect(await cluster.readLog("shop", "api-7d9c8f6b5d-x2x9q", "api", { previous: false, tailLines: 100 })).toContain(
      "heap usage 61%",
    );
  });

  it("a missing object is 'not found', in words", async () => {
    expect(await cluster.getPod("shop", "nope")).toBeNull();
    expect(await resolveTarget(cluster, { kind: "deployment", name: "payments", namespace: "shop" })).toEqual({
      ok: false,
      error: 'deployment "payments" not found in namespace "shop"',
    });
    expect(await cluster.currentUsage("shop")).toBeNull(); // metrics.k8s.io is not served here
    expect(await cluster.version()).toBe("v1.35.4");
  });

  it("dry-run patches change nothing; HPAs and people's own permissions are looked up", async () => {
    const before = await cluster.getWorkload("scenarios", "deployment", "quiet");
    const dry = await cluster.patchWorkload(
      { kind: "deployment", namespace: "scenarios", name: "quiet" },
      [{ op: "replace", path: "/spec/replicas", value: 3 }],
      { dryRun: true },
    );
    expect(dry.replicas).toBe(3);
    expect((await cluster.getWorkload("scenarios", "deployment", "quiet"))?.replicas).toBe(before?.replicas);
    expect(await cluster.autoscalerFor({ kind: "deployment", namespace: "scenarios", name: "plateau" })).toEqual({
      name: "plateau",
      minReplicas: 1,
      maxReplicas: 4,
    });
    expect(
      await cluster.patchAutoscaler(
        { namespace: "scenarios", name: "plateau" },
        [
          { op: "test", path: "/spec/maxReplicas", value: 4 },
          { op: "replace", path: "/spec/maxReplicas", value: 6 },
        ],
        { dryRun: true },
      ),
    ).toBe(6);
    expect(
      (await cluster.autoscalerFor({ kind: "deployment", namespace: "scenarios", name: "plateau" }))?.maxReplicas,
    ).toBe(4);
    expect(await cluster.autoscalerFor({ kind: "deployment", namespace: "scenarios", name: "quiet" })).toBeNull();
    const patchQuiet = { verb: "patch", group: "apps", resource: "deployments", namespace: "scenarios", name: "quiet" };
    expect(await cluster.mayDo({ user: "bob@example.com", groups: [] }, patchQuiet)).toBe(true);
    expect(await cluster.mayDo({ user: "carol@example.com", groups: [] }, patchQuiet)).toBe(false);
    expect(
      await cluster.mayDo({ user: "bob@example.com", groups: [] }, { ...patchQuiet, resource: "daemonsets" }),
    ).toBe(false);
    expect(await cluster.preflightFacts({ kind: "deployment", namespace: "scenarios", name: "plateau" })).toEqual({
      limitRangeMaxBytes: 4 * 2 ** 30,
      quota: [{ resource: "limits.memory", name: "scenarios", hardBytes: 20 * 2 ** 30, usedBytes: 0 }],
      largestNodeAllocatableBytes: 16 * 2 ** 30,
      hpa: { name: "plateau", onMemory: true },
    });
  });

  it("what the RBAC does not grant is 'forbidden', in words", async () => {
    // memops's own HTTP client, as its identity: what its adapter would see if it tried
    const http = new KubeHttp(fromKubeconfig(env.kubeconfig.bot));
    const secret = await http
      .get("/api/v1/namespaces/shop/secrets/db-password")
      .catch((e: unknown) => kubeError(e, "read secret db-password in namespace shop"));
    expect(secret).toMatchObject({
      code: "forbidden",
      message: "memops is not allowed to read secret db-password in namespace shop (forbidden by RBAC)",
    });
    const scale = await http
      .patch("/apis/apps/v1/namespaces/shop/deployments/api/scale", PATCH.merge, { spec: { replicas: 5 } })
      .catch((e: unknown) => kubeError(e, "scale deployment api"));
    expect(scale).toMatchObject({ code: "forbidden" });
    const replicaset = await http
      .patch("/apis/apps/v1/namespaces/shop/replicasets/api-7d9c8f6b5d", PATCH.merge, { spec: { replicas: 5 } })
      .catch((e: unknown) => kubeError(e, "patch replicaset api-7d9c8f6b5d"));
    expect(replicaset).toMatchObject({ code: "forbidden" });
  });

  it("deploy/'s RBAC, rendered by kustomize: exactly these rules per namespace, remediation only where listed", async () => {
    const authz = botConfig().makeApiClient(AuthorizationV1Api);
    const grantedBy = async (namespace: string) => {
      const review = await authz.createSelfSubjectRulesReview({ body: { spec: { namespace } } });
      return review
        .status!.resourceRules // every authenticated user may review itself (system:basic-user); those rules are not memops's
        .filter((r) => !(r.resources ?? []).some((x) => x.startsWith("selfsubject")))
        .flatMap((r) =>
          (r.apiGroups ?? []).flatMap((g) =>
            (r.resources ?? []).flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)),
          ),
        )
        .sort();
    };
    const installed = rendered("test/support/kustomize");
    for (const ns of ["shop", "scenarios", "flux-system", "bulk", "kube-system"])
      expect({ ns, rules: await grantedBy(ns) }).toEqual({ ns, rules: expectedRules(installed, ns) });
    // listed namespaces may be changed; an unlisted one and kube-system may not
    expect(expectedRules(installed, "shop")).toContain("apps/deployments:patch");
    for (const ns of ["bulk", "kube-system"]) {
      expect(expectedRules(installed, ns).filter((p) => /:(patch|update|create|delete)$/.test(p))).toEqual([
        "authorization.k8s.io/subjectaccessreviews:create",
      ]);
      await expect(
        cluster.patchWorkload({ kind: "deployment", namespace: ns, name: "api" }, [], { dryRun: true }),
      ).rejects.toMatchObject({ code: "forbidden" });
    }
    expect(
      (await cluster.patchWorkload({ kind: "deployment", namespace: "shop", name: "api" }, [], { dryRun: true })).name,
    ).toBe("api");
    // the base alone (kubectl apply -k deploy/kubernetes) is read-only: no write anywhere
    const base = rendered("deploy/kubernetes");
    expect(allRules(base).filter((p) => !/:(get|list|watch)$/.test(p))).toEqual([]);
    expect(base.filter((o) => o.kind === "RoleBinding")).toEqual([]);

    const declared = allRules(installed);
    expect(declared).not.toContainEqual(
      expect.stringMatching(/secrets|configmaps|:(update|delete|deletecollection|escalate|bind|impersonate)|\*/),
    );
    expect(declared.filter((p) => /:(create|patch)$/.test(p))).toEqual([
      "apps/daemonsets:patch",
      "apps/deployments:patch",
      "apps/statefulsets:patch",
      "authorization.k8s.io/subjectaccessreviews:create",
      "autoscaling/horizontalpodautoscalers:patch",
      "helm.toolkit.fluxcd.io/helmreleases:patch",
    ]);

    // Every adapter operation, once, as the bot; then every granted permission must appear in the audit log.
    const ref = { kind: "deployment" as const, namespace: "shop", name: "api" };
    await resolveTarget(cluster, { kind: "deployment", name: "api", namespace: "shop" });
    await resolveTarget(cluster, { kind: "pod", name: "api-7d9c8f6b5d-x2x9q", namespace: "shop" });
    await cluster.getWorkload("shop", "statefulset", "db");
    await cluster.getWorkload("shop", "daemonset", "none");
    await cluster.listPods(null, { limit: 5, fieldSelector: "spec.nodeName=node-a" });
    await cluster.listEvents("shop", "involvedObject.kind=Pod", 5);
    await cluster.listEvents(null, "involvedObject.kind=Node", 5);
    await cluster.getNode("node-a");
    await cluster.readLog("shop", "api-7d9c8f6b5d-x2x9q", "api", { previous: true, tailLines: 5 });
    await cluster.currentUsage("shop");
    // the world's pods have no pprof (nothing answers at their address): the proxy's refusal is enough
    await cluster
      .podProxyGet("shop", "api-7d9c8f6b5d-x2x9q", 6060, "/debug/pprof/heap", { maxBytes: 1024, timeoutMs: 5000 })
      .catch(() => undefined);
    for (const kind of ["deployment", "statefulset", "daemonset"] as const) {
      await cluster
        .patchWorkload(
          { kind, namespace: "shop", name: kind === "statefulset" ? "db" : "api" },
          [{ op: "add", path: "/metadata/annotations/memops.dev~1probe", value: "1" }],
          { dryRun: true },
        )
        .catch(() => undefined);
    }
    await cluster.autoscalerFor(ref);
    await cluster.preflightFacts(ref);
    expect(await cluster.helmReleaseVersion({ namespace: "flux-system", name: "flux-app" })).toMatch(/^\d+$/);
    await cluster.patchHelmRelease(
      { namespace: "flux-system", name: "flux-app" },
      { spec: { values: { probe: 1 } } },
      { dryRun: true },
    );
    await cluster.patchAutoscaler(
      { namespace: "scenarios", name: "plateau" },
      [{ op: "replace", path: "/spec/maxReplicas", value: 5 }],
      { dryRun: true },
    );
    await cluster.mayDo(
      { user: "bob@example.com", groups: [] },
      { verb: "patch", group: "apps", resource: "deployments", namespace: "shop", name: "api" },
    );
    await new Promise((r) => setTimeout(r, 1500));
    const used = new Set(
      readFileSync(env.auditLog, "utf8")
        .split("\n")
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as {
              user: { username: string };
              verb: string;
              objectRef?: { apiGroup?: string; resource?: string; subresource?: string };
            },
        )
        .filter((e) => e.user.username === BOT_USER && e.objectRef?.resource)
        .map(
          (e) =>
            `${e.objectRef?.apiGroup ?? ""}/${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ""}:${e.verb === "watch" ? "list" : e.verb}`,
        ),
    );
    expect(declared.filter((p) => !used.has(p))).toEqual([]);
  });
});
