import type { Route } from "../../../core/remediation/route.ts";
import { autoscaler } from "./autoscaler.ts";
import type { Executor } from "./executor.ts";
import { helmRelease } from "./helm-release.ts";
import { live } from "./live.ts";

export type { ChangedObject, Executor } from "./executor.ts";

/** One executor per route that changes the cluster; a Git hand-off changes nothing, so it has none. */
const EXECUTORS: Record<Exclude<Route["kind"], "git">, Executor> = { live, autoscaler, "helm-release": helmRelease };

export const executorFor = (route: Route): Executor | null => (route.kind === "git" ? null : EXECUTORS[route.kind]);
