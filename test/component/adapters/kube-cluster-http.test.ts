/** KubeCluster against a local HTTP server speaking the Kubernetes API: requests and error mapping, without etcd. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeCluster } from "../../../src/kubernetes/kube-cluster.ts";
import { FakeHttp, json } from "../../support/fake-http.ts";

const status = (code: number, message: string, details?: unknown) => ({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  message,
  code,
  ...(details ? { details } : {}),
});
const deployment = (limit: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "shop", uid: "u1", generation: 3, labels: { app: "api" }, annotations: {} },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "api" } },
    template: {
      metadata: { labels: { app: "api" } },
      spec: { containers: [{ name: "api", image: "api:1", resources: { limits: { memory: limit } } }] },
    },
  },
  status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
});
const pod = (name: string) => ({
  metadata: { name, namespace: "shop", uid: `u-${name}`, labels: { app: "api" } },
  spec: { containers: [{ name: "api", image: "api:1" }] },
  status: { phase: "Running" },
});

describe("KubeCluster over HTTP", () => {
  let http: FakeHttp;
  let cluster: KubeCluster;
  beforeEach(async () => {
    http = new FakeHttp();
    const url = await http.start();
    cluster = new KubeCluster({ server: url.replace(/\/$/, ""), insecure: true, token: "memops-token" });
  });
  afterEach(() => http.stop());

  it("pages through pods with limit and continue, and sends the token", async () => {
    http.answer = (req, res) =>
      json(res, 200, {
        kind: "PodList",
        apiVersion: "v1",
        metadata: req.url.searchParams.get("continue") ? {} : { continue: "page-2" },
        items: req.url.searchParams.get("continue") ? [pod("api-b")] : [pod("api-a")],
      });
    const first = await cluster.listPods("shop", { labelSelector: "app=api", limit: 1 });
    expect(first.items.map((p) => p.name)).toEqual(["api-a"]);
    expect(first.continueToken).toBe("page-2");
    const second = await cluster.listPods("shop", { labelSelector: "app=api", limit: 1, continueToken: "page-2" });
    expect(second).toMatchObject({ items: [{ name: "api-b" }], continueToken: null });
    const [a, b] = http.seen;
    expect(a?.url.pathname).toBe("/api/v1/namespaces/shop/pods");
    expect(Object.fromEntries(a?.url.searchParams ?? [])).toEqual({ labelSelector: "app=api", limit: "1" });
    expect(b?.url.searchParams.get("continue")).toBe("page-2");
    expect(a?.headers.authorization).toBe("Bearer memops-token");
  });

  it("a missing object is null; RBAC, credentials and server errors are named, never a stack or a body", async () => {
    http.answer = (_req, res) => json(res, 404, status(404, 'deployments.apps "api" not found'));
    expect(await cluster.getWorkload("shop", "deployment", "api")).toBeNull();
    http.answer = (_req, res) => json(res, 403, status(403, "forbidden: secret details"));
    await expect(cluster.getWorkload("shop", "deployment", "api")).rejects.toMatchObject({
      code: "forbidden",
      message: "memops is not allowed to read deployment api in namespace shop (forbidden by RBAC)",
    });
    http.answer = (_req, res) => json(res, 401, status(401, "Unauthorized"));
    await expect(cluster.listPods("shop", { limit: 10 })).rejects.toMatchObject({
      code: "forbidden",
      message: "the Kubernetes API rejected memops's credentials while trying to list pods in namespace shop",
    });
    http.answer = (_req, res) => json(res, 500, status(500, "etcdserver: request timed out"));
    await expect(cluster.getPod("shop", "api-a")).rejects.toMatchObject({
      code: "unavailable",
      message: "the Kubernetes API failed to read pod api-a in namespace shop (HTTP 500)",
    });
  });

  it("a change is a JSON Patch with its preconditions, as memops's field manager; a failed test is a conflict", async () => {
    const ops = [
      {
        op: "test" as const,
        path: "/spec/template/spec/containers/0/resources",
        value: { limits: { memory: "512Mi" } },
      },
      { op: "add" as const, path: "/spec/template/spec/containers/0/resources/limits", value: { memory: "640Mi" } },
    ];
    http.answer = (_req, res) => json(res, 200, deployment("640Mi"));
    const ref = { kind: "deployment" as const, namespace: "shop", name: "api" };
    const w = await cluster.patchWorkload(ref, ops, { dryRun: true });
    expect(w.template.containers[0]?.limitBytes).toBe(640 * 2 ** 20);
    const [req] = http.seen;
    expect(req?.method).toBe("PATCH");
    expect(req?.url.pathname).toBe("/apis/apps/v1/namespaces/shop/deployments/api");
    expect(req?.headers["content-type"]).toBe("application/json-patch+json");
    expect(Object.fromEntries(req?.url.searchParams ?? [])).toEqual({ dryRun: "All", fieldManager: "memops" });
    expect(JSON.parse(req?.body ?? "null")).toEqual(ops);
    // kube-apiserver 1.35 answers a failed `test` with this 422 and no causes
    http.answer = (_req, res) =>
      json(res, 422, status(422, "the server rejected our request due to an error in our request"));
    await expect(cluster.patchWorkload(ref, ops, { dryRun: false })).rejects.toMatchObject({ code: "conflict" });
    // a validation error names its fields: not a conflict
    http.answer = (_req, res) =>
      json(
        res,
        422,
        status(422, 'Deployment.apps "api" is invalid', { causes: [{ field: "spec.template.spec.containers[0]" }] }),
      );
    await expect(cluster.patchWorkload(ref, ops, { dryRun: false })).rejects.toMatchObject({ code: "invalid" });
  });

  it("nothing listening is 'unavailable'", async () => {
    await http.stop();
    await expect(cluster.getPod("shop", "api-a")).rejects.toMatchObject({
      code: "unavailable",
      message: "cannot reach the Kubernetes API to read pod api-a in namespace shop (ECONNREFUSED)",
    });
  });
});
