import type { ContainerSpec, RawResources, WorkloadObject } from "../core/model.ts";
import { parseQuantity } from "../core/quantity.ts";
import { err, ok, type Result } from "../core/result.ts";
import { PortError } from "../ports.ts";
import { applyJsonPatch, type JsonPatchOp, TEST_FAILED } from "../core/remediation/json-patch.ts";
import { rawResources } from "../core/remediation/plan.ts";

interface Manifest {
  metadata: { generation: number };
  spec: {
    replicas?: number;
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: { name: string; resources: RawResources }[] };
    };
  };
}

/** The workload as the API server would serve it, for the fields memops's patches read and write. */
function manifestOf(w: WorkloadObject): Manifest {
  const annotations =
    Object.keys(w.template.annotations).length > 0 ? { annotations: structuredClone(w.template.annotations) } : {};
  return {
    metadata: { generation: w.rollout.generation },
    spec: {
      ...(w.replicas !== null ? { replicas: w.replicas } : {}),
      template: {
        metadata: annotations,
        spec: {
          containers: w.template.containers.map((c) => ({ name: c.name, resources: structuredClone(rawResources(c)) })),
        },
      },
    },
  };
}

function memoryOf(r: RawResources, field: "limits" | "requests"): Result<number | null> {
  const q = r[field]?.["memory"];
  if (q === undefined) return ok(null);
  const bytes = parseQuantity(q);
  return bytes.ok ? ok(bytes.value) : err(`spec.template.spec.containers.resources.${field}.memory: ${bytes.error}`);
}

export type PatchFailure = { code: typeof TEST_FAILED | "invalid"; message: string };

/**
 * The workload after a JSON Patch, applied as the API server applies one: every `test` first holds or
 * nothing changes; a spec change moves the generation on. For the stand-ins of the API server (the
 * playground's simulation, the component tests' fake).
 */
export function applyWorkloadPatch(
  w: WorkloadObject,
  ops: readonly JsonPatchOp[],
): Result<WorkloadObject, PatchFailure> {
  const before = manifestOf(w);
  const patched = applyJsonPatch(before, ops);
  if (!patched.ok) return patched;
  const m = patched.value;
  const next = structuredClone(w);
  if (m.spec.replicas !== undefined) next.replicas = m.spec.replicas;
  next.template.annotations = m.spec.template.metadata.annotations ?? {};
  const containers: ContainerSpec[] = [];
  for (const c of m.spec.template.spec.containers) {
    const limit = memoryOf(c.resources, "limits");
    const request = memoryOf(c.resources, "requests");
    if (!limit.ok) return err({ code: "invalid", message: limit.error });
    if (!request.ok) return err({ code: "invalid", message: request.error });
    // hand-made objects stay hand-made: their raw resources are derived from the bytes again
    const hadRaw = w.template.containers.find((x) => x.name === c.name)?.resources !== undefined;
    containers.push({
      name: c.name,
      requestBytes: request.value,
      limitBytes: limit.value,
      ...(hadRaw ? { resources: c.resources } : {}),
    });
  }
  next.template.containers = containers;
  const changed = JSON.stringify(m.spec) !== JSON.stringify(before.spec);
  next.rollout = { ...next.rollout, generation: next.rollout.generation + (changed ? 1 : 0) };
  return ok(next);
}

/** How an in-memory API server refuses a patch: a failed `test` is a conflict, anything else is invalid (HTTP 422). */
export function patchRefused(what: string, f: PatchFailure): PortError {
  return f.code === TEST_FAILED
    ? new PortError(
        "kubernetes",
        "conflict",
        `the object changed since the request was made, so the API server refused to ${what} (${f.message})`,
      )
    : new PortError("kubernetes", "invalid", `the Kubernetes API refused to ${what} (HTTP 422): ${f.message}`);
}
