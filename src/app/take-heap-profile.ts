/**
 * One Go heap profile through the API server's pod proxy, with what to do when it cannot be had: the
 * first and the second profile of `/mem profile` alike.
 */
import type { HeapProfile } from "../core/profile/heap-profile.ts";
import { err, ok, type Result } from "../core/result.ts";
import { fetchHeapProfile } from "../engine/fetch-heap-profile.ts";
import { PortError } from "../ports.ts";
import type { IncidentDeps } from "./incident-deps.ts";

export const PROFILE_TIMEOUT_MS = 30_000;

export interface ProfileAt {
  namespace: string;
  pod: string;
  port: number;
  path: string;
}

export async function takeHeapProfile(
  d: IncidentDeps,
  at: ProfileAt,
): Promise<Result<{ bytes: Uint8Array; profile: HeapProfile }>> {
  try {
    const got = await fetchHeapProfile(d.diagnosis.cluster, at, PROFILE_TIMEOUT_MS);
    return ok({ ...got, profile: { ...got.profile, takenAt: got.profile.takenAt ?? d.diagnosis.clock.now() } });
  } catch (e) {
    if (!(e instanceof PortError)) throw e;
    if (e.code === "unavailable" || e.code === "not-found")
      return err(
        `${e.message}. Is ${at.pod} a Go service serving net/http/pprof on port ${at.port} (${at.path})? Name another with --port and --path.`,
      );
    if (e.code === "forbidden")
      return err(
        `${e.message}: heap profiles need \`get\` on \`pods/proxy\` in ${at.namespace} (the heap-profiles component of the kustomize overlay)`,
      );
    return err(e.message);
  }
}
