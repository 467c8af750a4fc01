/**
 * *Capture heap profile* on a leak verdict: the incident's workload, the default pprof port and path,
 * two profiles five minutes apart, in the incident's thread. The button carries the incident's id only;
 * the workload and channel are the stored incident's, and a click from another channel changes nothing.
 */
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { IncidentDeps } from "../../app/incident-deps.ts";
import { profileHeap } from "../../app/profile-heap.ts";
import type { Target } from "../../core/target.ts";
import { BUTTON_PROFILE_COMPARE, INCIDENT_ACTION } from "../render/incident.ts";

const PROFILED = ["deployment", "statefulset", "daemonset", "pod"] as const;

export function register(app: App, d: IncidentDeps, sleep: (ms: number) => Promise<void>): void {
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTION.profile, async ({ ack, body, action, respond }) => {
    await ack();
    const say = (text: string) => respond({ response_type: "ephemeral", replace_original: false, text });
    const incident = await d.store.incident(action.value ?? "");
    const channel = body.channel?.id ?? "";
    if (!incident || incident.channel !== channel)
      return void (await say("This button does not belong to an incident in this channel."));
    const { subject } = incident;
    const kind = PROFILED.find((k) => k === subject.kind);
    if (!kind) return void (await say("A heap profile is of one workload's pod: use /mem profile pod/NAME."));
    const target: Target = { kind, name: subject.name, namespace: subject.namespace };
    const r = await profileHeap(
      { incidents: d, sleep },
      { target, port: 6060, path: "/debug/pprof/heap", compareSeconds: BUTTON_PROFILE_COMPARE },
      channel,
      body.user.id,
    );
    if (!r.ok)
      await say(
        `${r.error} (another port or path: /mem profile ${kind}/${subject.name} -n ${subject.namespace} --port …)`,
      );
  });
}
