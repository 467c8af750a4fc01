/**
 * One Go heap profile through the API server's pod proxy, decoded: bounded in size and time, with a
 * garbage collection first (Go's heap profile is as of the last one, which may predate the growth).
 * Shared by `/mem profile` and the `heap-profile` runbook step; a failure is a PortError.
 */
import type { HeapProfile } from "../core/profile/heap-profile.ts";
import { decodeHeapProfile } from "../profile/decode-heap.ts";
import { type Cluster, PortError } from "../ports.ts";

/** A compressed profile larger than this is refused (a Go heap profile is tens to hundreds of KiB). */
export const MAX_PROFILE_BYTES = 16 * 2 ** 20;

export async function fetchHeapProfile(
  cluster: Cluster,
  at: { namespace: string; pod: string; port: number; path: string },
  timeoutMs: number,
): Promise<{ bytes: Uint8Array; profile: HeapProfile }> {
  const bytes = await cluster.podProxyGet(at.namespace, at.pod, at.port, at.path, {
    maxBytes: MAX_PROFILE_BYTES,
    timeoutMs,
    query: { gc: "1" },
  });
  const decoded = decodeHeapProfile(bytes);
  if (!decoded.ok)
    throw new PortError("kubernetes", "invalid", `${at.pod}:${at.port}${at.path} answered, but ${decoded.error}`);
  return { bytes, profile: decoded.value };
}
