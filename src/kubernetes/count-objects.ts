import { type KubeHttp, type List, nsPath } from "./kube-http.ts";
import { orFail } from "./errors.ts";
import { PortError } from "../ports.ts";

/** The resource (plural) that serves a kind, from the API server's discovery of its group version. */
async function resourceOf(
  http: KubeHttp,
  apiVersion: string,
  kind: string,
): Promise<{ path: string; namespaced: boolean }> {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const found = await orFail(
    http.get<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(base),
    `discover the resources of ${apiVersion}`,
  );
  const r = found.resources.find((x) => x.kind === kind && !x.name.includes("/"));
  if (!r) throw new PortError("kubernetes", "not-found", `not found while trying to list ${kind} (${apiVersion})`);
  return { path: `${base}/${r.name}`, namespaced: r.namespaced };
}

/** How many objects of a kind exist: the server's estimate when it gives one, else a count page by page. */
export async function countObjects(
  http: KubeHttp,
  apiVersion: string,
  kind: string,
  namespace: string | null,
): Promise<{ count: number; estimated: boolean }> {
  const where = namespace ? `in namespace ${namespace}` : "in the cluster";
  const { path, namespaced } = await resourceOf(http, apiVersion, kind);
  const url = namespace && namespaced ? path.replace(/\/([^/]+)$/, `${nsPath(namespace)}/$1`) : path;
  const list = (limit: number, token?: string) =>
    orFail(http.get<List<unknown>>(url, { limit, continue: token }), `list ${kind} (${apiVersion}) ${where}`);
  // One item and the server's estimate of the rest; a full count page by page only when it gives none.
  const first = await list(1);
  const remaining = first.metadata?.remainingItemCount;
  if (remaining !== undefined || !first.metadata?.continue)
    return { count: first.items.length + (remaining ?? 0), estimated: remaining !== undefined };
  let count = first.items.length;
  let token: string | undefined = first.metadata.continue;
  while (token) {
    const page = await list(500, token);
    count += page.items.length;
    token = page.metadata?.continue || undefined;
  }
  return { count, estimated: false };
}
