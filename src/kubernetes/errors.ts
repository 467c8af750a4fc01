import { ApiException } from "@kubernetes/client-node";
import { PortError } from "../ports.ts";

/** Is this the API server saying the object does not exist? */
export const isNotFound = (e: unknown): boolean => e instanceof ApiException && e.code === 404;

/** Turns a client-node failure into a short PortError; never embeds response bodies. */
export function kubeError(e: unknown, what: string): PortError {
  if (e instanceof PortError) return e;
  if (e instanceof ApiException) {
    const code = e.code;
    if (code === 403) return new PortError("kubernetes", "forbidden", `memops is not allowed to ${what} (forbidden by RBAC)`);
    if (code === 401) return new PortError("kubernetes", "forbidden", `the Kubernetes API rejected memops's credentials while trying to ${what}`);
    if (code === 404) return new PortError("kubernetes", "not-found", `not found while trying to ${what}`);
    if (code === 400 || code === 422) return new PortError("kubernetes", "invalid", `the Kubernetes API refused to ${what} (HTTP ${code})`);
    return new PortError("kubernetes", "unavailable", `the Kubernetes API failed to ${what} (HTTP ${code})`);
  }
  const cause = (e as { cause?: { code?: string } } | null)?.cause?.code ?? (e as { code?: string } | null)?.code;
  return new PortError("kubernetes", "unavailable", `cannot reach the Kubernetes API to ${what}${typeof cause === "string" ? ` (${cause})` : ""}`);
}
