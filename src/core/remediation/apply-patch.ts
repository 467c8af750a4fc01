import type { WorkloadObject } from "../model.ts";
import { parseQuantity } from "../quantity.ts";
import { err, ok, type Result } from "../result.ts";

type ContainerPatch = { name: string; resources?: { limits?: { memory?: string }; requests?: { memory?: string } } };
type WorkloadPatch = { spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: ContainerPatch[] } } } };

/**
 * The workload after one of memops's own patches (plan.ts), applied as a strategic merge would: replicas,
 * pod template annotations, containers' memory by name; the generation moves on. For the stand-ins of
 * the API server that have no real one (the playground's simulation, the component tests' fake).
 */
export function applyWorkloadPatch(w: WorkloadObject, patch: Record<string, unknown>): Result<WorkloadObject> {
  const p = patch as WorkloadPatch;
  const next = structuredClone(w);
  if (p.spec?.replicas !== undefined) next.replicas = p.spec.replicas;
  Object.assign(next.template.annotations, p.spec?.template?.metadata?.annotations ?? {});
  for (const c of p.spec?.template?.spec?.containers ?? []) {
    const target = next.template.containers.find((x) => x.name === c.name);
    if (!target) return err(`no container "${c.name}"`);
    for (const [field, q] of [["limitBytes", c.resources?.limits?.memory], ["requestBytes", c.resources?.requests?.memory]] as const) {
      if (q === undefined) continue;
      const bytes = parseQuantity(q);
      if (!bytes.ok) return err(bytes.error);
      target[field] = bytes.value;
    }
  }
  next.rollout = { ...next.rollout, generation: next.rollout.generation + 1 };
  return ok(next);
}
