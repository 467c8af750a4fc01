/** Shared by the per-pod steps (runtime, correlate, heap-profile): a pod's working set, which pod, the query step. */
import type { Sample } from "../../core/model.ts";
import type { ContainerMemory } from "../../ports.ts";

/** ~120 points over the window, at least 15 s apart */
export const stepOf = (windowSeconds: number): number => Math.max(15, Math.round(windowSeconds / 120));

export function podWorkingSets(memory: readonly Pick<ContainerMemory, "pod" | "workingSet">[]): Map<string, Sample[]> {
  const out = new Map<string, Map<number, number>>();
  for (const c of memory) {
    const m = out.get(c.pod) ?? new Map<number, number>();
    for (const s of c.workingSet) m.set(s.t, (m.get(s.t) ?? 0) + s.v);
    out.set(c.pod, m);
  }
  return new Map([...out].map(([pod, m]) => [pod, [...m].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v }))]));
}

/** The pod a per-pod step looks at: the target's only pod, else the one whose working set grew the most. */
export function growingPod(
  pods: readonly { name: string }[],
  memory: ReadonlyMap<string, readonly Sample[]>,
): string | null {
  if (pods.length === 1) return pods[0]?.name ?? null;
  let pod: string | null = null,
    most = 0;
  for (const [name, s] of memory) {
    const growth = (s[s.length - 1]?.v ?? 0) - (s[0]?.v ?? 0);
    if (growth > most) [pod, most] = [name, growth];
  }
  return pod;
}
