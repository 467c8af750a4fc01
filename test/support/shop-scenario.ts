/**
 * deploy/api in namespace shop: three replicas behind ReplicaSet api-7d9c8f6b5d, one OOM-killed and
 * crash-looping, one leaking toward its limit, one healthy; an envoy sidecar that was never killed;
 * an older pod whose termination during a rollout was not an OOM kill; node-a under MemoryPressure.
 */
import type { ClusterEvent } from "../../src/core/model.ts";
import { MiB } from "../../src/core/quantity.ts";
import { FakeCluster } from "./fake-cluster.ts";
import { FakeMetrics, type FakeSeries } from "./fake-metrics.ts";
import { controller, node, NOW, oomKilled, pod, series, status, workload } from "./fixtures.ts";

const RS = "api-7d9c8f6b5d";
const containers = [
  { name: "api", requestBytes: 256 * MiB, limitBytes: 512 * MiB },
  { name: "envoy", requestBytes: 64 * MiB, limitBytes: 128 * MiB },
];

export const SHOP = {
  killed: `${RS}-x2x9q`,
  leaking: `${RS}-k8s7d`,
  healthy: `${RS}-p0v2n`,
  leakingUsage: 470 * MiB,
  killedRestarts: 4,
};

export function shopPods() {
  const owners = [controller("ReplicaSet", RS)];
  return [
    pod({
      name: SHOP.killed,
      owners,
      containers,
      nodeName: "node-a",
      statuses: [oomKilled("api", SHOP.killedRestarts, 720), status({ name: "envoy" })],
    }),
    pod({
      name: SHOP.leaking,
      owners,
      containers,
      nodeName: "node-a",
      statuses: [status({ name: "api" }), status({ name: "envoy" })],
    }),
    pod({
      name: SHOP.healthy,
      owners,
      containers,
      nodeName: "node-b",
      statuses: [
        status({
          name: "api",
          restartCount: 1,
          lastTerminated: { reason: "Error", exitCode: 143, startedAt: NOW - 90_000, finishedAt: NOW - 86_000 },
        }),
        status({ name: "envoy" }),
      ],
    }),
    // Same labels, other owner: must not be counted as part of deploy/api.
    pod({
      name: "api-canary-5f6b7c8d9e-aaaaa",
      owners: [controller("ReplicaSet", "api-canary-5f6b7c8d9e")],
      containers,
      nodeName: "node-b",
    }),
  ];
}

export function shopEvents(): (ClusterEvent & { namespace: string })[] {
  return [
    {
      namespace: "shop",
      reason: "BackOff",
      message: "Back-off restarting failed container api in pod",
      type: "Warning",
      involvedKind: "Pod",
      involvedName: SHOP.killed,
      count: 7,
      lastSeen: NOW - 60,
    },
    {
      namespace: "default",
      reason: "OOMKilling",
      message: "Memory cgroup out of memory: Killed process 4242 (java) total-vm:2000000kB",
      type: "Warning",
      involvedKind: "Node",
      involvedName: "node-a",
      count: 4,
      lastSeen: NOW - 720,
    },
    {
      namespace: "shop",
      reason: "Pulled",
      message: "Container image already present",
      type: "Normal",
      involvedKind: "Pod",
      involvedName: SHOP.leaking,
      count: 1,
      lastSeen: NOW - 3000,
    },
  ];
}

const HOUR = 3600;
export function shopSeries(): FakeSeries[] {
  const at = (
    pod: string,
    container: string,
    workingSet: FakeSeries["workingSet"],
    restarts?: FakeSeries["restarts"],
  ): FakeSeries => ({ namespace: "shop", pod, container, workingSet, ...(restarts ? { restarts } : {}) });
  const window = 6 * HOUR;
  return [
    // grows 45Mi/h from ~200Mi to 470Mi now
    at(
      SHOP.leaking,
      "api",
      series(window, 60, (t) => 200 * MiB + (270 * MiB * t) / window, 4 * MiB, 2),
    ),
    // climbs to the limit and is killed every ~75 minutes
    at(
      SHOP.killed,
      "api",
      series(window, 60, (t) => 150 * MiB + ((t % 4500) / 4500) * 362 * MiB, 2 * MiB, 3),
      series(window, 60, (t) => Math.floor(t / 4500)),
    ),
    at(
      SHOP.healthy,
      "api",
      series(window, 60, () => 300 * MiB, 6 * MiB, 4),
    ),
    ...[SHOP.killed, SHOP.leaking, SHOP.healthy].map((p, i) =>
      at(
        p,
        "envoy",
        series(window, 60, () => 40 * MiB, 1 * MiB, 10 + i),
      ),
    ),
  ];
}

export function shopCluster(extra: Partial<ConstructorParameters<typeof FakeCluster>[0]> = {}) {
  return new FakeCluster({
    pods: shopPods(),
    workloads: [
      workload({ kind: "deployment", name: "api" }),
      workload({ kind: "replicaset", name: RS, owners: [controller("Deployment", "api")] }),
      workload({ kind: "replicaset", name: "api-canary-5f6b7c8d9e", owners: [controller("Deployment", "api-canary")] }),
    ],
    nodes: [node({ name: "node-a", memoryPressure: true, allocatableBytes: 8 * 1024 * MiB }), node({ name: "node-b" })],
    events: shopEvents(),
    logs: {
      [`shop/${SHOP.killed}/api/previous`]: [
        "2026-11-21T07:40:01Z INFO started in 4.2s",
        "2026-11-21T07:58:12Z WARN GC overhead: 48% of time in gc, heap 498MB/512MB",
        "2026-11-21T07:58:40Z INFO connecting to postgres://app:hunter2@db:5432/shop password=hunter2",
        "2026-11-21T07:59:03Z ERROR java.lang.OutOfMemoryError: Java heap space",
      ].join("\n"),
      [`shop/${SHOP.killed}/api`]:
        "2026-11-21T08:00:05Z INFO started in 4.1s\n2026-11-21T08:03:00Z WARN heap usage 61%",
      [`shop/${SHOP.killed}/envoy`]: "envoy: all good, heap 12MB",
    },
    ...extra,
  });
}

export const shopMetrics = () => new FakeMetrics(shopSeries());
export { NOW };
