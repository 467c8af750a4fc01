import { PortError } from "../ports.ts";

/** prometheus-query rejects with plain objects: { status: "error", errorType, error, code? }. */
export function promError(e: unknown): PortError {
  const o = (typeof e === "object" && e !== null ? e : {}) as { errorType?: string; error?: unknown; code?: unknown };
  const detail = typeof o.error === "string" ? o.error.slice(0, 200) : "";
  switch (o.errorType) {
    case "timeout_error":
    case "timeout":
      return new PortError("prometheus", "timeout", "Prometheus did not answer in time");
    case "network_error":
    case "ssl_error":
      return new PortError("prometheus", "unavailable", `cannot reach Prometheus${typeof o.code === "string" ? ` (${o.code})` : ""}`);
    case "bad_data":
      return new PortError("prometheus", "invalid", `Prometheus rejected the query: ${detail}`);
    default:
      return new PortError("prometheus", "unavailable", `Prometheus failed${o.errorType ? ` (${o.errorType})` : ""}${detail ? `: ${detail}` : ""}`);
  }
}
