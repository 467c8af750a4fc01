/**
 * Starts the integration tier once per run: etcd + kube-apiserver (seeded), a kubelet log stub, real
 * Prometheus (backfilled) and Alertmanager; checks PostgreSQL. Under CI a missing server fails the run;
 * on a laptop the tier is skipped, loudly.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { controlPlaneBinaries, KUBECTL, startControlPlane } from "../support/control-plane.ts";
import { startKubeletStub } from "../support/kubelet-stub.ts";
import { LOGS } from "../support/integration-world.ts";
import { postgresReachable } from "../support/postgres.ts";
import { ProcessGroup } from "../support/processes.ts";
import { ALERTMANAGER_BIN, PROMETHEUS_BIN, PROMTOOL_BIN, startPrometheusStack } from "../support/prometheus-stack.ts";
import { adminClients, seedCluster } from "../support/seed-cluster.ts";
import { createServer } from "node:net";
import { join } from "node:path";
import { BIN_DIR } from "../support/control-plane.ts";

/** The tier's Go service (built with the control plane). */
export const LEAKY_BIN = join(BIN_DIR, "leaky-go");

const freePort = () =>
  new Promise<number>((resolvePort) => {
    const s = createServer().listen(0, "0.0.0.0", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });

export interface IntegrationEnv {
  skipped: string | null;
  /** Unix seconds the world was seeded at */
  now: number;
  apiUrl: string;
  kubeconfig: { admin: string; bot: string };
  auditLog: string;
  prometheusUrl: string;
  alertmanagerUrl: string;
  alertsFile: string;
  memopsAlertPort: number;
  /** the Go service with net/http/pprof and a leak (test/fixtures/leaky-go), scraped live by Prometheus */
  leaky: { port: number; namespace: string; pod: string };
}

declare module "vitest" {
  export interface ProvidedContext {
    integration: IntegrationEnv;
  }
}

const DIR = resolve(".cache/integration");

async function missing(): Promise<string[]> {
  const problems: string[] = [];
  if (!controlPlaneBinaries())
    problems.push("kube-apiserver/etcd/kubectl not built (run scripts/build-control-plane.sh)");
  if (!existsSync(LEAKY_BIN)) problems.push(`${LEAKY_BIN} not built (run scripts/build-control-plane.sh)`);
  for (const bin of [PROMETHEUS_BIN, PROMTOOL_BIN, ALERTMANAGER_BIN])
    if (!existsSync(bin)) problems.push(`${bin} missing (apt-get install prometheus prometheus-alertmanager)`);
  const pg = await postgresReachable();
  if (pg) problems.push(pg);
  return problems;
}

const empty: Omit<IntegrationEnv, "skipped"> = {
  now: 0,
  apiUrl: "",
  kubeconfig: { admin: "", bot: "" },
  auditLog: "",
  prometheusUrl: "",
  alertmanagerUrl: "",
  alertsFile: "",
  memopsAlertPort: 0,
  leaky: { port: 0, namespace: "", pod: "" },
};

/** The integration tier's servers, seeded: the tests' world, and `npm run bench:real`'s. */
export async function startIntegrationWorld(
  dir: string,
): Promise<{ env: Omit<IntegrationEnv, "skipped">; stop: () => Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const group = new ProcessGroup(resolve(dir, "pids.json"));
  try {
    const now = Math.floor(Date.now() / 1000);
    const kubelet = await startKubeletStub(dir, LOGS);
    const leaky = { port: await freePort(), namespace: "profiling", pod: "sessions-0" };
    group.start(
      "leaky-go",
      LEAKY_BIN,
      ["-listen", `0.0.0.0:${leaky.port}`, "-namespace", leaky.namespace, "-pod", leaky.pod],
      resolve(dir, "leaky-go.log"),
    );
    const [cp, prom] = await Promise.all([
      startControlPlane(group, resolve(dir, "kube")),
      startPrometheusStack(group, resolve(dir, "prom"), now, [{ job: "leaky", target: `127.0.0.1:${leaky.port}` }]),
    ]);
    // memops installed as users install it: the kustomize overlay, rendered and applied by kubectl
    await seedCluster(adminClients(cp.kubeconfig.admin), kubelet.port, now, () =>
      execFileSync(KUBECTL, ["--kubeconfig", cp.kubeconfig.admin, "apply", "-k", "test/support/kustomize"], {
        stdio: "pipe",
      }),
    );
    return {
      env: {
        now,
        apiUrl: cp.url,
        kubeconfig: cp.kubeconfig,
        auditLog: cp.auditLog,
        prometheusUrl: prom.prometheusUrl,
        alertmanagerUrl: prom.alertmanagerUrl,
        alertsFile: prom.alertsFile,
        memopsAlertPort: prom.memopsAlertPort,
        leaky,
      },
      stop: async () => {
        kubelet.server.close();
        prom.receiver.close();
        await group.stop();
      },
    };
  } catch (e) {
    await group.stop();
    throw e;
  }
}

export default async function setup(project: TestProject) {
  const problems = await missing();
  if (problems.length > 0) {
    const reason = `integration tier cannot start: ${problems.join("; ")}`;
    if (process.env["CI"]) throw new Error(`${reason}. Under CI every tier must run (see .ci/run).`);
    process.stderr.write(`\n${"!".repeat(100)}\n!! SKIPPING THE INTEGRATION TIER: ${reason}\n${"!".repeat(100)}\n\n`);
    project.provide("integration", { skipped: reason, ...empty });
    return;
  }
  const world = await startIntegrationWorld(DIR);
  project.provide("integration", { skipped: null, ...world.env });
  return world.stop;
}
