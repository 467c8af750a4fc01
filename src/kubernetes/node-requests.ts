/**
 * The memory requested on a node, from the API server's protobuf PodList: the node-pressure step needs two
 * numbers per node, and a busy node's pods as JSON are megabytes to parse (1,200 pods: ~170 ms of a
 * diagnosis on the integration tier's API server). Field numbers from k8s.io/api core/v1 generated.proto.
 */
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { parseQuantity } from "../core/quantity.ts";
import type { List } from "./kube-http.ts";
import { eachField, firstField, type Span, text, textIs, unwrapKubernetes } from "./protobuf.ts";
import { bytesOf } from "./translate.ts";

/** What of a pod's spec decides its memory request. */
interface RequestParts {
  podLevel: number | null;
  containers: number[];
  inits: { request: number; sidecar: boolean }[];
  overhead: number | null;
}

/**
 * A pod's memory request as the scheduler counts it: the pod-level request when set, else the larger of
 * its containers' sum (sidecars, init containers that restart "Always", included) and its largest init
 * container, plus the runtime class's overhead.
 */
function schedulerRequest(p: RequestParts): number {
  const sidecars = p.inits.filter((i) => i.sidecar).reduce((s, i) => s + i.request, 0);
  const running = p.containers.reduce((s, c) => s + c, 0) + sidecars;
  const init = Math.max(0, ...p.inits.filter((i) => !i.sidecar).map((i) => i.request));
  return (p.podLevel ?? Math.max(running, init)) + (p.overhead ?? 0);
}

interface PageRequests {
  pods: number;
  requestedBytes: number;
  continueToken: string | null;
}

const jsonRequest = (c: V1Container) => bytesOf(c.resources?.requests?.["memory"]) ?? 0;

/** The same from a JSON PodList, for a server (or a proxy in front of it) that answers JSON only. */
export function jsonPodListRequests(list: List<V1Pod>): PageRequests {
  const parts = (p: V1Pod): RequestParts => ({
    podLevel: bytesOf(p.spec?.resources?.requests?.["memory"]),
    containers: (p.spec?.containers ?? []).map(jsonRequest),
    inits: (p.spec?.initContainers ?? []).map((c) => ({
      request: jsonRequest(c),
      sidecar: c.restartPolicy === "Always",
    })),
    overhead: bytesOf(p.spec?.overhead?.["memory"]),
  });
  return {
    pods: list.items.length,
    requestedBytes: list.items.reduce((sum, p) => sum + schedulerRequest(parts(p)), 0),
    continueToken: list.metadata?.continue || null,
  };
}

const F = {
  list: { metadata: 1, items: 2 },
  listMeta: { continue: 3 },
  pod: { spec: 2 },
  spec: { containers: 2, initContainers: 20, overhead: 32, resources: 40 },
  container: { resources: 8, restartPolicy: 24 },
  requirements: { requests: 2 },
  mapEntry: { key: 1, value: 2 },
  quantity: { string: 1 },
} as const;

/** The "memory" entry of a map<string, Quantity>, in bytes; null when absent. */
function memoryOf(buf: Uint8Array, entries: Span[]): number | null {
  for (const entry of entries) {
    const key = firstField(buf, entry, F.mapEntry.key);
    if (!key || !textIs(buf, key, "memory")) continue;
    const value = firstField(buf, entry, F.mapEntry.value);
    const q = value && firstField(buf, value, F.quantity.string);
    if (!q) return null;
    const parsed = parseQuantity(text(buf, q));
    return parsed.ok ? parsed.value : null;
  }
  return null;
}

/** A ResourceRequirements' memory request. */
function requestOf(buf: Uint8Array, requirements: Span | null): number | null {
  if (!requirements) return null;
  const entries: Span[] = [];
  eachField(buf, requirements, (f, span) => {
    if (f === F.requirements.requests) entries.push(span);
  });
  return memoryOf(buf, entries);
}

function protobufParts(buf: Uint8Array, pod: Span): RequestParts {
  const parts: RequestParts = { podLevel: null, containers: [], inits: [], overhead: null };
  const spec = firstField(buf, pod, F.pod.spec);
  if (!spec) return parts;
  const overhead: Span[] = [];
  const request = (container: Span) => requestOf(buf, firstField(buf, container, F.container.resources)) ?? 0;
  eachField(buf, spec, (f, span) => {
    if (f === F.spec.containers) parts.containers.push(request(span));
    else if (f === F.spec.initContainers) {
      const restart = firstField(buf, span, F.container.restartPolicy);
      parts.inits.push({ request: request(span), sidecar: !!restart && textIs(buf, restart, "Always") });
    } else if (f === F.spec.overhead) overhead.push(span);
    else if (f === F.spec.resources) parts.podLevel = requestOf(buf, span);
  });
  parts.overhead = memoryOf(buf, overhead);
  return parts;
}

/** One page of a protobuf PodList: how many pods, their memory requests summed, and the continue token. */
export function podListRequests(buf: Uint8Array): PageRequests {
  const list = unwrapKubernetes(buf);
  let pods = 0;
  let requestedBytes = 0;
  let continueToken: string | null = null;
  eachField(buf, list, (f, span) => {
    if (f === F.list.items) {
      pods++;
      requestedBytes += schedulerRequest(protobufParts(buf, span));
    } else if (f === F.list.metadata) {
      const token = firstField(buf, span, F.listMeta.continue);
      continueToken = token && token.end > token.start ? text(buf, token) : null;
    }
  });
  return { pods, requestedBytes, continueToken };
}
