/**
 * A fleet for the watch's component tests, in namespace shop: checkout leaks toward its 512Mi limit
 * (about 1 h 50 m left), cart has warmed up to a plateau at 60% of its limit, search sits quietly at
 * 20%. Prometheus (a FakeMetrics) names checkout and cart as candidates, as the prefilter would.
 * With `twoLeaks`, orders leaks too (faster: its 512Mi limit in about an hour) and is a candidate.
 */
import { MiB } from "../../src/core/quantity.ts";
import { FakeCluster } from "./fake-cluster.ts";
import { FakeMetrics } from "./fake-metrics.ts";
import { controller, node, pod, series, status, workload } from "./fixtures.ts";

const H = 3600;
const allDeployments = {
  orders: { rs: "orders-6e7f8a9b0c", pod: "orders-6e7f8a9b0c-o9r8d", limit: 512 * MiB },
  checkout: { rs: "checkout-5d6e7f8a9b", pod: "checkout-5d6e7f8a9b-c1k2o", limit: 512 * MiB },
  cart: { rs: "cart-4c5d6e7f8a", pod: "cart-4c5d6e7f8a-c4r7t", limit: 1024 * MiB },
  search: { rs: "search-3b4c5d6e7f", pod: "search-3b4c5d6e7f-s3a4r", limit: 1024 * MiB },
};

type Fleet = Partial<typeof allDeployments>;

const fleet = (twoLeaks: boolean): Fleet => {
  const { orders, ...rest } = allDeployments;
  return twoLeaks ? { orders, ...rest } : rest;
};

export function watchCluster(o: { twoLeaks?: boolean } = {}): FakeCluster {
  const entries = Object.entries(fleet(o.twoLeaks ?? false));
  return new FakeCluster({
    pods: entries.map(([name, d]) =>
      pod({
        name: d.pod,
        labels: { app: name, "pod-template-hash": d.rs.split("-").pop()! },
        owners: [controller("ReplicaSet", d.rs)],
        containers: [{ name: "app", requestBytes: d.limit / 2, limitBytes: d.limit }],
        nodeName: "node-a",
        statuses: [status({ name: "app" })],
      }),
    ),
    workloads: entries.flatMap(([name, d]) => [
      workload({
        kind: "deployment",
        name,
        selector: `app=${name}`,
        labels: { app: name },
        replicas: 1,
        template: { containers: [{ name: "app", requestBytes: d.limit / 2, limitBytes: d.limit }], annotations: {} },
      }),
      workload({
        kind: "replicaset",
        name: d.rs,
        selector: `app=${name}`,
        labels: { app: name },
        owners: [controller("Deployment", name)],
      }),
    ]),
    nodes: [node({ name: "node-a" })],
  });
}

export function watchMetrics(o: { twoLeaks?: boolean } = {}): FakeMetrics {
  const deployments = fleet(o.twoLeaks ?? false);
  const at = (p: string, ws: (t: number) => number, seed: number) => ({
    namespace: "shop",
    pod: p,
    container: "app",
    workingSet: series(12 * H, 60, ws, 3 * MiB, seed),
    limit: series(12 * H, 3600, () => Object.values(deployments).find((d) => d.pod === p)!.limit),
  });
  const { orders, checkout, cart, search } = allDeployments;
  const m = new FakeMetrics([
    // 200Mi → 440Mi over 12 h: 20Mi/h, the 512Mi limit in about 3 h
    at(checkout.pod, (t) => 200 * MiB + (20 * MiB * t) / H, 1),
    at(cart.pod, (t) => 300 * MiB + 320 * MiB * (1 - Math.exp(-t / (1.5 * H))), 2),
    at(search.pod, () => 200 * MiB, 3),
    // 190Mi → 470Mi over 12 h: the limit in about 2 h
    ...(deployments.orders ? [at(orders.pod, (t) => 190 * MiB + (23 * MiB * t) / H, 4)] : []),
  ]);
  // as Prometheus answers the watch's prefilter and the digest's two instant queries
  m.instant = (q) => {
    if (q.includes("predict_linear"))
      return [deployments.orders?.pod, checkout.pod, cart.pod]
        .filter((p) => p !== undefined)
        .map((p) => ({
          labels: { namespace: "shop", pod: p, container: "app" },
          value: 1,
        }));
    if (q.startsWith("count by (namespace)")) return [{ labels: { namespace: "shop" }, value: 3 }];
    if (q.includes("kube_pod_container_resource_requests"))
      return Object.values(deployments).map((d) => ({
        labels: { namespace: "shop", pod: d.pod, container: "app" },
        value: d.limit / 2,
      }));
    return [];
  };
  return m;
}
