/** Writes the integration world into the real API server as the admin, the way kwok would: statuses included. */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  type V1ContainerStatus,
} from "@kubernetes/client-node";
import { BULK_PODS, type WorldContainer, type WorldWorkload, WORKLOADS } from "./integration-world.ts";

const mi = (bytes: number) => `${Math.round(bytes / 2 ** 20)}Mi`;

export interface SeedClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  objects: KubernetesObjectApi;
  custom: CustomObjectsApi;
}

export function adminClients(kubeconfigFile: string): SeedClients {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

function containerStatus(c: WorldContainer, now: number): V1ContainerStatus {
  const started = new Date((now - 300) * 1000);
  const last = c.lastTerminated;
  return {
    name: c.name,
    image: `registry.example/${c.name}:1.0`,
    imageID: `registry.example/${c.name}@sha256:${"0".repeat(64)}`,
    ready: !c.waiting,
    restartCount: c.restartCount,
    started: !c.waiting,
    state: c.waiting
      ? { waiting: { reason: c.waiting, message: "back-off 5m0s restarting failed container" } }
      : { running: { startedAt: started } },
    lastState: last
      ? {
          terminated: {
            reason: last.reason,
            exitCode: last.exitCode,
            startedAt: new Date((now - last.secondsAgo - 1800) * 1000),
            finishedAt: new Date((now - last.secondsAgo) * 1000),
          },
        }
      : {},
  };
}

async function seedWorkload(c: SeedClients, w: WorldWorkload, now: number): Promise<void> {
  const labels = {
    app: w.name === "api-canary" ? "api" : w.name,
    "app.kubernetes.io/part-of": w.namespace,
    ...w.labels,
  };
  const template = {
    metadata: { labels },
    spec: {
      containers: w.pods[0]!.containers.map((x) => ({
        name: x.name,
        image: `registry.example/${x.name}:1.0`,
        resources: { requests: { memory: mi(x.requestBytes) }, limits: { memory: mi(x.limitBytes) } },
      })),
    },
  };
  const live = w.pods.filter((p) => !p.gone);
  const spec = { replicas: live.length, selector: { matchLabels: { app: labels.app } }, template };
  let owner: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean };
  if (w.kind === "Deployment") {
    const d = await c.apps.createNamespacedDeployment({
      namespace: w.namespace,
      body: { metadata: { name: w.name, labels }, spec },
    });
    const rsName = `${w.name}-${w.hash ?? "0"}`;
    const rs = await c.apps.createNamespacedReplicaSet({
      namespace: w.namespace,
      body: {
        metadata: {
          name: rsName,
          labels: { ...labels, "pod-template-hash": w.hash ?? "0" },
          ownerReferences: [
            {
              apiVersion: "apps/v1",
              kind: "Deployment",
              name: w.name,
              uid: d.metadata!.uid!,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          ...spec,
          selector: { matchLabels: { app: labels.app, "pod-template-hash": w.hash ?? "0" } },
          template: { ...template, metadata: { labels: { ...labels, "pod-template-hash": w.hash ?? "0" } } },
        },
      },
    });
    owner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: rsName, uid: rs.metadata!.uid!, controller: true };
  } else {
    const s = await c.apps.createNamespacedStatefulSet({
      namespace: w.namespace,
      body: { metadata: { name: w.name, labels }, spec: { ...spec, serviceName: w.name } },
    });
    owner = { apiVersion: "apps/v1", kind: "StatefulSet", name: w.name, uid: s.metadata!.uid!, controller: true };
  }
  for (const p of live) {
    await c.core.createNamespacedPod({
      namespace: w.namespace,
      body: {
        metadata: {
          name: p.name,
          labels: { ...labels, ...(w.hash ? { "pod-template-hash": w.hash } : {}) },
          ownerReferences: [owner],
        },
        spec: { nodeName: p.node, containers: template.spec.containers },
      },
    });
    await c.core.patchNamespacedPodStatus(
      {
        namespace: w.namespace,
        name: p.name,
        body: {
          status: {
            phase: "Running",
            podIP: "10.0.0.10",
            hostIP: "127.0.0.1",
            startTime: new Date((now - 86_400) * 1000),
            conditions: [{ type: "Ready", status: p.containers.some((x) => x.waiting) ? "False" : "True" }],
            containerStatuses: p.containers.map((x) => containerStatus(x, now)),
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }
}

async function inBatches<T>(items: T[], size: number, f: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(f));
}

/** Flux's HelmRelease kind (schema kept open) and the release that manages deploy/flux-app. */
async function installHelmReleases(c: SeedClients): Promise<void> {
  await c.objects.create({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "helmreleases.helm.toolkit.fluxcd.io" },
    spec: {
      group: "helm.toolkit.fluxcd.io",
      scope: "Namespaced",
      names: { plural: "helmreleases", singular: "helmrelease", kind: "HelmRelease", shortNames: ["hr"] },
      // client-node serializes this through its typed model, which names the field x_kubernetes_preserve_unknown_fields
      versions: [
        {
          name: "v2",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", x_kubernetes_preserve_unknown_fields: true } },
        },
      ],
    },
  } as KubernetesObject);
  const custom = c.custom;
  for (let i = 0; i < 100; i++) {
    try {
      // CustomObjectsApi sends the body as it is; KubernetesObjectApi would drop what its models do not know (spec).
      await custom.createNamespacedCustomObject({
        group: "helm.toolkit.fluxcd.io",
        version: "v2",
        namespace: "flux-system",
        plural: "helmreleases",
        body: {
          apiVersion: "helm.toolkit.fluxcd.io/v2",
          kind: "HelmRelease",
          metadata: { name: "flux-app", namespace: "flux-system" },
          spec: {
            interval: "10m",
            chart: { spec: { chart: "app", sourceRef: { kind: "HelmRepository", name: "charts" } } },
            targetNamespace: "scenarios",
            values: { replicaCount: 1, resources: { requests: { memory: "256Mi" }, limits: { memory: "1Gi" } } },
          },
        },
      });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100)); // the new kind is served a moment after its CRD is created
    }
  }
  throw new Error("the HelmRelease CRD was never established");
}

/** Everything the integration tests expect to find, as of `now` (Unix seconds). */
/** `installMemops` installs memops's own manifests (its namespace, RBAC, Deployment) once the namespaces exist. */
export async function seedCluster(
  c: SeedClients,
  kubeletPort: number,
  now: number,
  installMemops: () => void,
): Promise<void> {
  for (const name of ["shop", "scenarios", "bulk", "flux-system", "profiling"])
    await c.core.createNamespace({ body: { metadata: { name } } });
  await installHelmReleases(c);
  installMemops();
  for (const [name, pressure, allocatable] of [
    ["node-a", true, "8Gi"],
    ["node-b", false, "16Gi"],
  ] as const) {
    await c.core.createNode({
      body: {
        metadata: { name, labels: { "kubernetes.io/hostname": name } },
        status: {
          capacity: { memory: allocatable, cpu: "4", pods: "110" },
          allocatable: { memory: allocatable, cpu: "4", pods: "110" },
          conditions: [
            { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
            {
              type: "MemoryPressure",
              status: pressure ? "True" : "False",
              reason: pressure ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
              message: "",
            },
          ],
          addresses: [
            { type: "InternalIP", address: "127.0.0.1" },
            { type: "Hostname", address: name },
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
        },
      },
    });
  }
  for (const w of WORKLOADS) await seedWorkload(c, w, now);
  // People's own Kubernetes permissions, checked with SubjectAccessReviews before memops executes an approval.
  await c.objects.create({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "workload-operator" },
    rules: [
      { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["get", "patch"] },
      { apiGroups: ["helm.toolkit.fluxcd.io"], resources: ["helmreleases"], verbs: ["get", "patch"] },
    ],
  } as KubernetesObject);
  for (const ns of ["shop", "scenarios", "flux-system"]) {
    await c.objects.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "bob-operates", namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "workload-operator" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "bob@example.com" }],
    } as KubernetesObject);
  }
  await c.core.createNamespacedLimitRange({
    namespace: "scenarios",
    body: { metadata: { name: "containers" }, spec: { limits: [{ type: "Container", max: { memory: "4Gi" } }] } },
  });
  await c.core.createNamespacedResourceQuota({
    namespace: "scenarios",
    body: { metadata: { name: "scenarios" }, spec: { hard: { "limits.memory": "20Gi" } } },
  });
  await c.objects.create({
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "plateau", namespace: "scenarios" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "plateau" },
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [
        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
      ],
    },
  } as KubernetesObject);
  await c.core.createNamespacedSecret({
    namespace: "shop",
    body: { metadata: { name: "db-password" }, stringData: { password: "hunter2" } },
  });
  const event = (
    namespace: string,
    name: string,
    kind: string,
    object: string,
    reason: string,
    message: string,
    count: number,
    secondsAgo: number,
  ) =>
    c.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name },
        involvedObject: { kind, name: object, namespace: kind === "Node" ? "" : namespace, apiVersion: "v1" },
        reason,
        message,
        type: "Warning",
        count,
        firstTimestamp: new Date((now - 3600) * 1000),
        lastTimestamp: new Date((now - secondsAgo) * 1000),
        source: { component: "kubelet", host: "node-a" },
      },
    });
  await event(
    "shop",
    "api-x2x9q.backoff",
    "Pod",
    "api-7d9c8f6b5d-x2x9q",
    "BackOff",
    "Back-off restarting failed container api in pod api-7d9c8f6b5d-x2x9q",
    7,
    60,
  );
  await event(
    "shop",
    "api-k8s7d.pulled",
    "Pod",
    "api-7d9c8f6b5d-k8s7d",
    "Pulled",
    "Container image already present on machine",
    1,
    3000,
  );
  await event(
    "default",
    "node-a.oomkilling",
    "Node",
    "node-a",
    "OOMKilling",
    "Memory cgroup out of memory: Killed process 4242 (java) total-vm:2000000kB, anon-rss:520000kB",
    4,
    720,
  );
  // A namespace big enough to need several pages.
  const rs = await c.apps.createNamespacedReplicaSet({
    namespace: "bulk",
    body: {
      metadata: { name: "worker-6c9f8d7b5" },
      spec: {
        replicas: BULK_PODS,
        selector: { matchLabels: { app: "worker" } },
        template: {
          metadata: { labels: { app: "worker" } },
          spec: { containers: [{ name: "w", image: "registry.example/w:1" }] },
        },
      },
    },
  });
  await inBatches(
    Array.from({ length: BULK_PODS }, (_, i) => i),
    40,
    (i) =>
      c.core.createNamespacedPod({
        namespace: "bulk",
        body: {
          metadata: {
            name: `worker-6c9f8d7b5-${String(i).padStart(5, "0")}`,
            labels: { app: "worker" },
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: "ReplicaSet",
                name: "worker-6c9f8d7b5",
                uid: rs.metadata!.uid!,
                controller: true,
              },
            ],
          },
          spec: {
            nodeName: i % 2 ? "node-a" : "node-b",
            containers: [
              {
                name: "w",
                image: "registry.example/w:1",
                resources: { requests: { memory: "64Mi" }, limits: { memory: "128Mi" } },
              },
            ],
          },
        },
      }),
  );
}
