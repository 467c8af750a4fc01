/**
 * Who may look at a namespace from where. Diagnosis posts (redacted) log lines and events, read with
 * memops's own cluster-wide rights; the policy can bind channels to namespaces, and ask that the person
 * may read those logs themselves (a SubjectAccessReview for their mapped identity).
 */
import { channelMay, identityFor, type Policy } from "../core/remediation/policy.ts";
import { err, ok, type Result } from "../core/result.ts";
import type { Cluster } from "../ports.ts";

export async function mayDiagnose(
  d: { policy: Policy | null; cluster: Cluster },
  who: { user: string; channel: string },
  namespace: string,
): Promise<Result<void>> {
  const bound = channelMay(d.policy, who.channel, namespace);
  if (!bound.ok) return err(bound.error);
  if (d.policy?.diagnoseAccess !== "subject-access-review") return ok(undefined);
  const identity = identityFor(d.policy, who.user);
  if (!identity)
    return err(
      "no Kubernetes identity is mapped to you in the policy, so memops cannot check that you may read these logs",
    );
  const allowed = await d.cluster.mayDo(identity, {
    verb: "get",
    group: "",
    resource: "pods",
    subresource: "log",
    namespace,
    name: "",
  });
  return allowed
    ? ok(undefined)
    : err(`${identity.user} may not read pod logs in namespace ${namespace}, so memops will not show them to you`);
}
