import type { NodeFindings, NodeRow } from "../../core/findings.ts";
import { type StepContext, TOP } from "../step-context.ts";

export async function nodePressure(ctx: StepContext): Promise<NodeFindings> {
  const counts = new Map<string, number>();
  for (const p of ctx.target.pods) if (p.nodeName) counts.set(p.nodeName, (counts.get(p.nodeName) ?? 0) + 1);
  // The nodes carrying most of the target's pods; a namespace can span hundreds of nodes.
  const names = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([n]) => n);
  const nodes = await Promise.all(
    names.map(async (name): Promise<NodeRow | null> => {
      const [node, load] = await Promise.all([ctx.cluster.getNode(name), ctx.cluster.nodeRequests(name)]);
      if (!node) return null;
      const requested = load.requestedBytes;
      return {
        name,
        memoryPressure: node.memoryPressure,
        allocatableBytes: node.allocatableBytes,
        requestedBytes: requested,
        ofAllocatable: node.allocatableBytes ? requested / node.allocatableBytes : null,
        pods: load.pods,
      };
    }),
  );
  return { nodes: nodes.filter((n): n is NodeRow => n !== null) };
}
