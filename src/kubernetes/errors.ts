import { KubeHttpError } from "./kube-http.ts";
import { PortError } from "../ports.ts";

/** Is this the API server saying the object does not exist? */
export const isNotFound = (e: unknown): boolean => e instanceof KubeHttpError && e.code === 404;

/** Turns a failed API call into a short PortError; never embeds response bodies. */
export function kubeError(e: unknown, what: string): PortError {
  if (e instanceof PortError) return e;
  if (e instanceof KubeHttpError) {
    const code = e.code;
    if (code === 403)
      return new PortError("kubernetes", "forbidden", `memops is not allowed to ${what} (forbidden by RBAC)`);
    if (code === 401)
      return new PortError(
        "kubernetes",
        "forbidden",
        `the Kubernetes API rejected memops's credentials while trying to ${what}`,
      );
    if (code === 404) return new PortError("kubernetes", "not-found", `not found while trying to ${what}`);
    // A JSON Patch `test` that fails is a 422 whose Status names no field: kube-apiserver 1.35 answers
    // "the server rejected our request due to an error in our request" with empty details (older ones
    // said "Testing value … failed"). A validation error names its fields in details.causes.
    if (code === 422 && isFailedTest(e))
      return new PortError(
        "kubernetes",
        "conflict",
        `the object changed since the request was made, so the API server refused to ${what}`,
      );
    // a resourceVersion precondition that no longer holds (a merge patch carrying metadata.resourceVersion)
    if (code === 409)
      return new PortError(
        "kubernetes",
        "conflict",
        `the object changed since the request was made, so the API server refused to ${what}`,
      );
    if (code === 400 || code === 422)
      return new PortError("kubernetes", "invalid", `the Kubernetes API refused to ${what} (HTTP ${code})`);
    return new PortError("kubernetes", "unavailable", `the Kubernetes API failed to ${what} (HTTP ${code})`);
  }
  const cause = (e as { cause?: { code?: string } } | null)?.cause?.code ?? (e as { code?: string } | null)?.code;
  return new PortError(
    "kubernetes",
    "unavailable",
    `cannot reach the Kubernetes API to ${what}${typeof cause === "string" ? ` (${cause})` : ""}`,
  );
}

interface Status {
  message?: unknown;
  details?: { causes?: unknown[] };
}

/** The Status the API server answered with (never put into user-facing text whole). */
function statusOf(e: KubeHttpError): Status {
  const body = e.body;
  try {
    return JSON.parse(body) as Status;
  } catch {
    return { message: body };
  }
}

function isFailedTest(e: KubeHttpError): boolean {
  const s = statusOf(e);
  const message = typeof s.message === "string" ? s.message : "";
  return (
    /testing value .* failed/i.test(message) ||
    (message === "the server rejected our request due to an error in our request" && !s.details?.causes?.length)
  );
}

/** Returns null for 404, translates every other failure. */
export async function orNull<T>(call: Promise<T>, what: string): Promise<T | null> {
  try {
    return await call;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw kubeError(e, what);
  }
}

export async function orFail<T>(call: Promise<T>, what: string): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw kubeError(e, what);
  }
}
