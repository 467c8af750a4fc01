import { PortError } from "../ports.ts";

/** Prometheus answered, with an error status or `status: "error"`; its own errorType and reason. */
export class PromHttpError extends Error {
  readonly httpStatus: number;
  readonly errorType: string | undefined;
  readonly reason: string;
  constructor(httpStatus: number, errorType: string | undefined, reason: string | undefined) {
    super(`HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.errorType = errorType;
    this.reason = (reason ?? "").slice(0, 200);
  }
}

/** A failed Prometheus call as a short PortError: rejected query, timeout, unreachable, or failed. */
export function promError(e: unknown): PortError {
  if (e instanceof PortError) return e;
  if (e instanceof PromHttpError) {
    const type = e.errorType ?? (e.httpStatus === 400 || e.httpStatus === 422 ? "bad_data" : undefined);
    if (type === "bad_data")
      return new PortError("prometheus", "invalid", `Prometheus rejected the query: ${e.reason}`);
    if (type === "timeout" || type === "canceled")
      return new PortError("prometheus", "timeout", "Prometheus did not answer in time");
    return new PortError(
      "prometheus",
      "unavailable",
      `Prometheus failed${type ? ` (${type}, HTTP ${e.httpStatus})` : ` (HTTP ${e.httpStatus})`}${e.reason ? `: ${e.reason}` : ""}`,
    );
  }
  const name = (e as { name?: string } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError")
    return new PortError("prometheus", "timeout", "Prometheus did not answer in time");
  // fetch names the cause: a system error code (ECONNREFUSED), or a reason of its own ("bad port")
  const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause;
  const why = cause?.code ?? cause?.message?.slice(0, 60);
  return new PortError("prometheus", "unavailable", `cannot reach Prometheus${why ? ` (${why})` : ""}`);
}
