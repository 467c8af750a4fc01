import { PortError } from "../ports.ts";

/**
 * prometheus-query rejects with plain objects: { errorType, error, code? }, and for HTTP errors
 * { errorType: "http_error", httpStatus, prometheus: { errorType, error } } carrying Prometheus's own type.
 */
export function promError(e: unknown): PortError {
  const o = (typeof e === "object" && e !== null ? e : {}) as {
    errorType?: string;
    error?: unknown;
    code?: unknown;
    httpStatus?: number;
    prometheus?: { errorType?: string };
  };
  const detail = typeof o.error === "string" ? o.error.slice(0, 200) : "";
  const type = o.prometheus?.errorType ?? (o.httpStatus === 400 || o.httpStatus === 422 ? "bad_data" : o.errorType);
  switch (type) {
    case "timeout_error":
    case "timeout":
    case "canceled":
      return new PortError("prometheus", "timeout", "Prometheus did not answer in time");
    case "network_error":
    case "ssl_error":
      return new PortError(
        "prometheus",
        "unavailable",
        `cannot reach Prometheus${typeof o.code === "string" ? ` (${o.code})` : ""}`,
      );
    case "bad_data":
      return new PortError("prometheus", "invalid", `Prometheus rejected the query: ${detail}`);
    default:
      return new PortError(
        "prometheus",
        "unavailable",
        `Prometheus failed${type ? ` (${type}${o.httpStatus ? `, HTTP ${o.httpStatus}` : ""})` : ""}${detail ? `: ${detail}` : ""}`,
      );
  }
}
