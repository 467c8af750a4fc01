import type { KubernetesObjectApi } from "@kubernetes/client-node";
import { orFail } from "./errors.ts";

/** How many objects of a kind exist: the server's estimate when it gives one, else a count page by page. */
export async function countObjects(
  objects: KubernetesObjectApi,
  apiVersion: string,
  kind: string,
  namespace: string | null,
): Promise<{ count: number; estimated: boolean }> {
  const where = namespace ? `in namespace ${namespace}` : "in the cluster";
  const list = (limit: number, token?: string) =>
    orFail(
      objects.list(
        apiVersion,
        kind,
        namespace ?? undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        limit,
        token,
      ),
      `list ${kind} (${apiVersion}) ${where}`,
    );
  // One item and the server's estimate of the rest; a full count page by page only when it gives none.
  const first = await list(1);
  const remaining = first.metadata?.remainingItemCount;
  if (remaining !== undefined || !first.metadata?._continue)
    return { count: first.items.length + (remaining ?? 0), estimated: remaining !== undefined };
  let count = first.items.length;
  let token: string | undefined = first.metadata._continue;
  while (token) {
    const page = await list(500, token);
    count += page.items.length;
    token = page.metadata?._continue || undefined;
  }
  return { count, estimated: false };
}
