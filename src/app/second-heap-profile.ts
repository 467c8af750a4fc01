/**
 * The second profile of a comparison (`/mem profile … --compare`, the Capture heap profile button):
 * taken when it is due, by the process that took the first — or, when that one stopped during the wait,
 * by the next one to look (at start-up and every few seconds), from what the store kept of the first.
 * One replica takes it under a lease; on the record before it is marked done, posted after.
 */
import { diffProfiles, type HeapProfile, profileFile } from "../core/profile/heap-profile.ts";
import { formatDuration } from "../core/duration.ts";
import { err } from "../core/result.ts";
import { subjectKey } from "../core/subject.ts";
import type { ProfileCompare } from "../ports.ts";
import type { ProfileDeps } from "./profile-heap.ts";
import { PROFILE_TIMEOUT_MS, takeHeapProfile } from "./take-heap-profile.ts";

export const PROFILE_TOP = 10;
/**
 * Due longer ago than this (memops was not running), a comparison is closed with a word in the thread
 * instead: a profile taken now would not compare with the first over the interval that was asked for.
 */
const STALE_SECONDS = 3600;
/** a comparison stays this replica's this long (two fetches' timeouts and the posting); another takes it over after */
const LEASE_SECONDS = (2 * PROFILE_TIMEOUT_MS) / 1000 + 60;

/** The first profile as a comparison keeps it, and back. */
export const keptProfile = (p: HeapProfile): ProfileCompare["first"] => ({
  sampleType: p.sampleType,
  totalBytes: p.totalBytes,
  takenAt: p.takenAt,
  functions: [...p.functions.values()],
});
const profileOf = (k: ProfileCompare["first"]): HeapProfile => ({
  ...k,
  functions: new Map(k.functions.map((f) => [f.name, f])),
});

/**
 * Takes and posts the second profile of comparison `id`, or, without one, of every comparison that is
 * due; how many were posted.
 */
export async function takeSecondProfiles(pd: ProfileDeps, owner: string, id?: string): Promise<number> {
  const d = pd.incidents;
  let posted = 0;
  for (;;) {
    const now = d.diagnosis.clock.now();
    const c = await d.store.claimProfileCompare(owner, now, now + LEASE_SECONDS, id);
    if (!c) return posted;
    const where = `${c.pod}:${c.port}${c.path}`;
    const late = now - c.dueAt;
    const second =
      late > STALE_SECONDS
        ? err(
            `it was due ${formatDuration(late)} ago, while memops was not running, and a profile taken now would not show the growth over ${formatDuration(c.compareSeconds)}; ask again with --compare`,
          )
        : await takeHeapProfile(d, c);
    await d.audit.record({
      kind: "profile",
      slackUser: c.user,
      target: c.subject,
      what: `second heap profile of ${where}`,
      outcome: second.ok ? `ok: ${second.value.profile.totalBytes} bytes in use` : `failed: ${second.error}`,
      details: { channel: c.channel, pod: c.pod, port: c.port, path: c.path, comparison: c.id },
    });
    // marked done before it is posted: a replica that dies in between loses a post, never doubles one
    if (!(await d.store.finishProfileCompare(c.id, owner))) {
      if (id !== undefined) return posted;
      continue;
    }
    if (!second.ok)
      await d.chat.post(c.channel, d.view.profileFailed(`The second profile of ${c.pod}`, second.error), c.threadTs);
    else {
      const first = profileOf(c.first);
      const diff = diffProfiles(first, second.value.profile, PROFILE_TOP);
      const view = { ...c, first, second: second.value.profile, diff };
      await d.chat.post(c.channel, d.view.heapProfile(view, PROFILE_TOP), c.threadTs);
      await d.chat.upload(c.channel, c.threadTs, {
        filename: profileFile(c.pod, 2),
        title: `heap profile of ${c.pod}, ${c.compareSeconds} s later (go tool pprof -diff_base ${profileFile(c.pod, 1)} ${profileFile(c.pod, 2)})`,
        altText: `pprof heap profile of ${c.pod}, ${second.value.profile.totalBytes} bytes in use`,
        bytes: second.value.bytes,
      });
    }
    posted++;
    d.log.info({ subject: subjectKey(c.subject), pod: c.pod, comparison: c.id }, "second heap profile posted");
    if (id !== undefined) return posted;
  }
}
