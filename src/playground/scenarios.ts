/** The playground's workloads: each misbehaves the way real services do, in namespace `demo`. */

const MiB = 2 ** 20;
const MIN = 60,
  HOUR = 3600;

export interface Scenario {
  /** the Deployment's name */
  name: string;
  /** what it does, for the playground's side panel */
  story: string;
  /** what memops should call it */
  expect: string;
  replicas: number;
  limitBytes: number;
  requestBytes: number;
  /** how long its pods have been running when the playground starts, seconds */
  podAge: number;
  /** working set in bytes, `age` seconds into a run, at Unix time `t` (noise is added by the simulation) */
  memory(age: number, t: number): number;
  /** log lines of a running container, and of one that was OOM-killed */
  logs: { current: string[]; killed: string[] };
}

const warmUp = (age: number, from: number, to: number, tau: number) => from + (to - from) * (1 - Math.exp(-age / tau));

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "checkout",
    story: "grows 45Mi an hour and never gives it back: a cache without eviction",
    expect: "leak, OOM in about an hour",
    replicas: 2,
    limitBytes: 512 * MiB,
    requestBytes: 256 * MiB,
    podAge: 5.5 * HOUR,
    memory: (age) => 220 * MiB + (45 * MiB * age) / HOUR,
    logs: {
      current: [
        "INFO  checkout started on :8080",
        "WARN  session cache holds 48,211 entries (no eviction configured)",
        "INFO  GET /cart 200 12ms",
      ],
      killed: [
        "WARN  session cache holds 131,907 entries (no eviction configured)",
        "ERROR java.lang.OutOfMemoryError: Java heap space",
        "ERROR   at com.shop.checkout.SessionCache.put(SessionCache.java:88)",
      ],
    },
  },
  {
    name: "search",
    story: "needs ~560Mi once its index is loaded, but its limit is 512Mi: killed every hour and a half",
    expect: "oom-cycle",
    replicas: 1,
    limitBytes: 512 * MiB,
    requestBytes: 384 * MiB,
    podAge: 8 * HOUR,
    memory: (age) => warmUp(age, 150 * MiB, 560 * MiB, 45 * MIN),
    logs: {
      current: ["INFO  loading index shard 3/8", "INFO  index loaded: 1.9M documents"],
      killed: [
        "INFO  loading index shard 7/8",
        "ERROR out of memory: allocating 64MiB for segment merge",
        "FATAL runtime: cannot allocate memory",
      ],
    },
  },
  {
    name: "ledger",
    story: "a JVM that warms up for an hour after each start, then stays flat",
    expect: "stable, warm-up plateau (not a leak)",
    replicas: 1,
    limitBytes: 1024 * MiB,
    requestBytes: 512 * MiB,
    podAge: 5 * HOUR,
    memory: (age) => warmUp(age, 200 * MiB, 620 * MiB, 25 * MIN) + 25 * MiB * ((age % (4 * MIN)) / (4 * MIN)), // + GC sawtooth
    logs: { current: ["INFO  JIT warm-up complete", "INFO  G1 young pause 12ms, heap 590M->560M"], killed: [] },
  },
  {
    name: "reports",
    story: "renders a big export every four hours: memory jumps for a few minutes, then comes back down",
    expect: "spike (recovered)",
    replicas: 1,
    limitBytes: 1024 * MiB,
    requestBytes: 384 * MiB,
    podAge: 7 * HOUR,
    // short enough to stay a spike (≤ 5% of a 6 h window's 5-minute maxima), frequent enough that one is always in it
    memory: (_age, t) => 300 * MiB + (t % (4 * HOUR) >= 100 * MIN && t % (4 * HOUR) < 104 * MIN ? 380 * MiB : 0),
    logs: { current: ["INFO  export 2026-11 finished: 41,220 rows in 9m12s", "INFO  idle"], killed: [] },
  },
  {
    name: "cache",
    story: "sits at 92% of its limit all day: one burst away from an OOM kill",
    expect: "limit-too-low",
    replicas: 1,
    limitBytes: 512 * MiB,
    requestBytes: 512 * MiB,
    podAge: 9 * HOUR,
    memory: () => 472 * MiB,
    logs: { current: ["INFO  maxmemory 480mb, used 471mb, evicted 1,204 keys in the last minute"], killed: [] },
  },
  {
    name: "web",
    story: "a healthy frontend",
    expect: "stable",
    replicas: 2,
    limitBytes: 512 * MiB,
    requestBytes: 256 * MiB,
    podAge: 7 * HOUR,
    memory: () => 180 * MiB,
    logs: { current: ["INFO  GET / 200 3ms", "INFO  GET /healthz 200 0ms"], killed: [] },
  },
];
