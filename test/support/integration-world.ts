/**
 * The world the integration tier seeds, described once: the Kubernetes objects (with statuses) and
 * the Prometheus series written for the same namespaces, pods, containers and limits.
 */
import type { MemoryClass } from "../../src/core/classify.ts";
import { MiB } from "../../src/core/quantity.ts";
import { rng } from "./fixtures.ts";

const H = 3600;
export const SERIES_SPAN = 9 * H;
/**
 * Series end at "now": samples past it would move the TSDB head's lower bound forward and make
 * Prometheus discard its own rule results ("out of bounds"). Rules see the last samples for 5 minutes.
 */
export const SERIES_AHEAD = 0;
export const STEP = 60;

export interface WorldContainer {
  name: string;
  requestBytes: number;
  limitBytes: number;
  restartCount: number;
  waiting?: string;
  lastTerminated?: { reason: string; exitCode: number; secondsAgo: number };
  /** working set at t seconds after the series start */
  workingSet?: (t: number) => number;
  restarts?: (t: number) => number;
  /** seconds after the series start from which, and until which, the container reports (default: all along) */
  from?: number;
  until?: number;
}

export interface WorldPod {
  name: string;
  node: string;
  containers: WorldContainer[];
  /** replaced during the window: its series are in Prometheus, the pod is no longer in the API server */
  gone?: boolean;
}

export interface WorldWorkload {
  namespace: string;
  kind: "Deployment" | "StatefulSet";
  name: string;
  /** the ReplicaSet's pod-template hash, for Deployments */
  hash?: string;
  pods: WorldPod[];
  expected?: { classification: MemoryClass; plateau?: boolean };
  labels?: Record<string, string>;
}

const noise = (seed: number, amount: number) => {
  const r = rng(seed);
  return () => (r() * 2 - 1) * amount;
};

function scenario(
  name: string,
  hash: string,
  limit: number,
  request: number,
  ws: (t: number) => number,
  expected: WorldWorkload["expected"],
  extra: Partial<WorldContainer> = {},
  seed = 1,
): WorldWorkload {
  const n = noise(seed, 4 * MiB);
  return {
    namespace: "scenarios",
    kind: "Deployment",
    name,
    hash,
    expected,
    pods: [
      {
        name: `${name}-${hash}-a1b2c`,
        node: "node-b",
        containers: [
          {
            name: "app",
            requestBytes: request,
            limitBytes: limit,
            restartCount: 0,
            workingSet: (t) => Math.max(0, ws(t) + n()),
            ...extra,
          },
        ],
      },
    ],
  };
}

const CYCLE = 90 * 60;
export const SCENARIOS: WorldWorkload[] = [
  scenario(
    "leak",
    "6f7d8c9b5a",
    1024 * MiB,
    512 * MiB,
    (t) => 350 * MiB + 50 * MiB * (t / H),
    { classification: "leak" },
    {},
    11,
  ),
  scenario(
    "oom-cycle",
    "5c6d7e8f9a",
    512 * MiB,
    256 * MiB,
    (t) => 150 * MiB + ((t % CYCLE) / CYCLE) * 362 * MiB,
    { classification: "oom-cycle" },
    {
      restartCount: Math.floor(SERIES_SPAN / CYCLE),
      restarts: (t) => Math.floor(t / CYCLE),
      lastTerminated: { reason: "OOMKilled", exitCode: 137, secondsAgo: 900 },
    },
    12,
  ),
  scenario(
    "spike",
    "4b5c6d7e8f",
    1024 * MiB,
    512 * MiB,
    (t) => 400 * MiB + (t > 5 * H && t < 5.2 * H ? 420 * MiB : 0),
    { classification: "spike" },
    {},
    13,
  ),
  scenario(
    "plateau",
    "3a4b5c6d7e",
    1024 * MiB,
    512 * MiB,
    (t) => 300 * MiB + 300 * MiB * (1 - Math.exp(-Math.max(0, t - 1.5 * H) / (1.2 * H))),
    { classification: "stable", plateau: true },
    {},
    14,
  ),
  scenario(
    "limit-too-low",
    "2f3a4b5c6d",
    512 * MiB,
    384 * MiB,
    () => 0.96 * 512 * MiB,
    { classification: "limit-too-low" },
    {},
    15,
  ),
  scenario(
    "quiet",
    "1e2f3a4b5c",
    1024 * MiB,
    256 * MiB,
    () => 200 * MiB,
    { classification: "stable", plateau: false },
    {},
    16,
  ),
];

/** deploy/api in shop: one replica OOM-killed and crash-looping, one leaking, one healthy after a rollout restart. */
export const SHOP_API: WorldWorkload = {
  namespace: "shop",
  kind: "Deployment",
  name: "api",
  hash: "7d9c8f6b5d",
  pods: [
    {
      name: "api-7d9c8f6b5d-x2x9q",
      node: "node-a",
      containers: [
        {
          name: "api",
          requestBytes: 256 * MiB,
          limitBytes: 512 * MiB,
          restartCount: 4,
          waiting: "CrashLoopBackOff",
          lastTerminated: { reason: "OOMKilled", exitCode: 137, secondsAgo: 720 },
          workingSet: (t) => 150 * MiB + ((t % 4500) / 4500) * 362 * MiB,
          restarts: (t) => Math.floor(t / 4500),
        },
        { name: "envoy", requestBytes: 64 * MiB, limitBytes: 128 * MiB, restartCount: 0, workingSet: () => 40 * MiB },
      ],
    },
    {
      name: "api-7d9c8f6b5d-k8s7d",
      node: "node-a",
      containers: [
        {
          name: "api",
          requestBytes: 256 * MiB,
          limitBytes: 512 * MiB,
          restartCount: 0,
          workingSet: (t) => 200 * MiB + (270 * MiB * t) / SERIES_SPAN,
        },
        { name: "envoy", requestBytes: 64 * MiB, limitBytes: 128 * MiB, restartCount: 0, workingSet: () => 41 * MiB },
      ],
    },
    {
      name: "api-7d9c8f6b5d-p0v2n",
      node: "node-b",
      containers: [
        {
          name: "api",
          requestBytes: 256 * MiB,
          limitBytes: 512 * MiB,
          restartCount: 1,
          lastTerminated: { reason: "Error", exitCode: 143, secondsAgo: 86_000 },
          workingSet: () => 300 * MiB,
        },
        { name: "envoy", requestBytes: 64 * MiB, limitBytes: 128 * MiB, restartCount: 0, workingSet: () => 39 * MiB },
      ],
    },
  ],
};

/** Same labels as deploy/api, another owner: must never be counted as part of it. */
export const SHOP_CANARY: WorldWorkload = {
  namespace: "shop",
  kind: "Deployment",
  name: "api-canary",
  hash: "5f6b7c8d9e",
  pods: [
    {
      name: "api-canary-5f6b7c8d9e-aaaaa",
      node: "node-b",
      containers: [
        { name: "api", requestBytes: 256 * MiB, limitBytes: 512 * MiB, restartCount: 0, workingSet: () => 100 * MiB },
      ],
    },
  ],
};

export const SHOP_DB: WorldWorkload = {
  namespace: "shop",
  kind: "StatefulSet",
  name: "db",
  pods: [
    {
      name: "db-0",
      node: "node-b",
      containers: [
        {
          name: "postgres",
          requestBytes: 1024 * MiB,
          limitBytes: 2048 * MiB,
          restartCount: 0,
          workingSet: () => 900 * MiB,
        },
      ],
    },
  ],
};

export const BULK_PODS = 1200;

export const LOGS: Record<string, string> = {
  "shop/api-7d9c8f6b5d-x2x9q/api/previous": [
    "2026-11-21T07:40:01Z INFO started in 4.2s",
    "2026-11-21T07:58:12Z WARN GC overhead: 48% of time in gc, heap 498MB/512MB",
    "2026-11-21T07:58:40Z INFO connecting to postgres://app:hunter2@db:5432/shop password=hunter2",
    "2026-11-21T07:59:03Z ERROR java.lang.OutOfMemoryError: Java heap space",
  ].join("\n"),
  "shop/api-7d9c8f6b5d-x2x9q/api":
    "2026-11-21T08:00:05Z INFO started in 4.1s\n2026-11-21T08:03:00Z WARN heap usage 61%",
  "shop/api-7d9c8f6b5d-x2x9q/envoy": "envoy: all good, heap 12MB",
};

/** Managed by Flux through a HelmRelease: changes must go to the HelmRelease, never to the live object. */
export const FLUX_APP: WorldWorkload = {
  namespace: "scenarios",
  kind: "Deployment",
  name: "flux-app",
  hash: "9a8b7c6d5e",
  labels: { "helm.toolkit.fluxcd.io/name": "flux-app", "helm.toolkit.fluxcd.io/namespace": "flux-system" },
  pods: [
    {
      name: "flux-app-9a8b7c6d5e-f1u2x",
      node: "node-b",
      containers: [
        { name: "app", requestBytes: 256 * MiB, limitBytes: 1024 * MiB, restartCount: 0, workingSet: () => 300 * MiB },
      ],
    },
  ],
};

/**
 * deploy/raised in scenarios: OOM-killed every 75 minutes at 512Mi until, 2 hours ago, its limit was raised
 * to 640Mi and the pod replaced; the new pod has run flat at ~330Mi since, without a kill. Only kube-state-metrics' limit
 * series tell the two limits apart (memops's store knows of no change).
 */
export const RAISED_AT = SERIES_SPAN - 2 * H;
const RAISED_CYCLE = 75 * 60;
export const RAISED: WorldWorkload = {
  namespace: "scenarios",
  kind: "Deployment",
  name: "raised",
  hash: "8b9c0d1e2f",
  pods: [
    {
      name: "raised-8b9c0d1e2f-n3w0p",
      node: "node-b",
      containers: [
        {
          name: "app",
          requestBytes: 256 * MiB,
          limitBytes: 640 * MiB,
          restartCount: 0,
          from: RAISED_AT,
          workingSet: (t) => 330 * MiB + 6 * MiB * Math.sin(t / 600),
        },
      ],
    },
    {
      name: "raised-7a8b9c0d1e-o1d0p",
      node: "node-b",
      gone: true,
      containers: [
        {
          name: "app",
          requestBytes: 256 * MiB,
          limitBytes: 512 * MiB,
          restartCount: Math.floor(RAISED_AT / RAISED_CYCLE),
          until: RAISED_AT - STEP,
          workingSet: (t) => 150 * MiB + ((t % RAISED_CYCLE) / RAISED_CYCLE) * 362 * MiB,
          restarts: (t) => Math.floor(t / RAISED_CYCLE),
        },
      ],
    },
  ],
};

export const WORKLOADS = [SHOP_API, SHOP_CANARY, SHOP_DB, ...SCENARIOS, RAISED, FLUX_APP];

/** Flat containers in namespace "fleet", only in Prometheus: the watch's prefilter must not pick any. */
export const QUIET_FLEET = Number(process.env["MEMOPS_QUIET_FLEET"] ?? 3000);
const QUIET_SPAN = 2 * H;
const QUIET_STEP = 300;

/** OpenMetrics text of every series in the world, for `promtool tsdb create-blocks-from openmetrics`. */
export function openMetrics(end: number): string {
  const start = end - SERIES_SPAN;
  const families: Record<string, string[]> = {
    container_memory_working_set_bytes: [],
    container_memory_rss: [],
    kube_pod_container_status_restarts_total: [],
    kube_pod_container_resource_limits: [],
    kube_pod_container_resource_requests: [],
    kube_pod_container_status_last_terminated_reason: [],
  };
  for (const w of WORKLOADS) {
    for (const p of w.pods) {
      for (const c of p.containers) {
        if (!c.workingSet) continue;
        const add = (family: string, labels: string, value: (t: number) => number) => {
          for (let t = c.from ?? 0; t <= Math.min(c.until ?? Infinity, SERIES_SPAN + SERIES_AHEAD); t += STEP)
            families[family]?.push(`${family}{${labels}} ${Math.round(value(t))} ${start + t}`);
        };
        const ws = c.workingSet;
        const ksm = `namespace="${w.namespace}",pod="${p.name}",container="${c.name}",uid="uid-${p.name}"`;
        const cadvisor = `namespace="${w.namespace}",pod="${p.name}",container="${c.name}",image="registry.example/${c.name}:1.0",id="/kubepods/${p.name}/${c.name}"`;
        add("container_memory_working_set_bytes", cadvisor, ws);
        add("container_memory_rss", cadvisor, (t) => ws(t) * 0.85);
        add("kube_pod_container_status_restarts_total", ksm, c.restarts ?? (() => c.restartCount));
        add("kube_pod_container_resource_limits", `${ksm},resource="memory",unit="byte"`, () => c.limitBytes);
        add("kube_pod_container_resource_requests", `${ksm},resource="memory",unit="byte"`, () => c.requestBytes);
        if (c.lastTerminated)
          add(
            "kube_pod_container_status_last_terminated_reason",
            `${ksm},reason="${c.lastTerminated.reason}"`,
            () => 1,
          );
      }
    }
  }
  // the quiet fleet: thousands of containers with no API objects, that the watch's prefilter must pass over
  for (let i = 0; i < QUIET_FLEET; i++) {
    const pod = `quiet-${i.toString(36).padStart(4, "0")}-q0000`;
    const ksm = `namespace="fleet",pod="${pod}",container="app",uid="uid-${pod}"`;
    const level = (100 + (i % 300)) * MiB;
    for (let t = SERIES_SPAN - QUIET_SPAN; t <= SERIES_SPAN; t += QUIET_STEP) {
      families["container_memory_working_set_bytes"]?.push(
        `container_memory_working_set_bytes{namespace="fleet",pod="${pod}",container="app",image="registry.example/app:1.0",id="/kubepods/${pod}/app"} ${level + ((t / QUIET_STEP) % 3) * MiB} ${start + t}`,
      );
      families["kube_pod_container_resource_limits"]?.push(
        `kube_pod_container_resource_limits{${ksm},resource="memory",unit="byte"} ${1024 * MiB} ${start + t}`,
      );
    }
  }
  const types: Record<string, string> = { kube_pod_container_status_restarts_total: "counter" };
  const out: string[] = [];
  for (const [family, lines] of Object.entries(families)) {
    if (lines.length === 0) continue;
    const name = family.replace(/_total$/, "");
    out.push(`# TYPE ${name} ${types[family] ?? "gauge"}`);
    for (const l of lines) out.push(l); // a spread of 100,000s of lines overflows the call stack
  }
  out.push("# EOF", "");
  return out.join("\n");
}
