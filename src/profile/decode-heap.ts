/**
 * A pprof heap profile's bytes (gzipped protobuf, as `/debug/pprof/heap` serves it) into memops's
 * HeapProfile: the sample type picked by name (`inuse_space`; Go leaves the default sample type
 * empty), flat bytes to each sample's innermost function, cumulative bytes to every function on its
 * stack once. Bounded: the compressed size is checked by the caller, the inflated size here.
 */
import { gunzipSync } from "node:zlib";
import { Profile } from "pprof-format";
import type { FunctionBytes, HeapProfile } from "../core/profile/heap-profile.ts";
import { err, ok, type Result } from "../core/result.ts";

/** A profile inflating past this is refused rather than parsed. */
export const MAX_INFLATED = 64 * 2 ** 20;

export function decodeHeapProfile(bytes: Uint8Array, sampleType = "inuse_space"): Result<HeapProfile> {
  let raw: Uint8Array;
  try {
    // pprof's own files are gzipped; a raw protobuf is accepted too
    raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_INFLATED }) : bytes;
  } catch (e) {
    return err(`not a heap profile: it does not inflate (${(e as Error).message})`);
  }
  let p: Profile;
  try {
    p = Profile.decode(raw);
  } catch (e) {
    return err(`not a heap profile: ${(e as Error).message}`);
  }
  const str = (i: unknown) => p.stringTable.strings[Number(i)] ?? "";
  const types = p.sampleType.map((t) => str(t.type));
  const index = types.indexOf(sampleType);
  if (index < 0)
    return err(
      types.length
        ? `the profile has no ${sampleType} samples (it has ${types.join(", ")}): is this a heap profile?`
        : "the profile has no samples: is this a pprof heap profile?",
    );
  const names = new Map(p.function.map((f) => [Number(f.id), str(f.name) || `0x${Number(f.id).toString(16)}`]));
  const locations = new Map(
    p.location.map((l) => [
      Number(l.id),
      // innermost first: a location's last line is the caller the earlier ones were inlined into
      l.line.length
        ? l.line.map((x) => names.get(Number(x.functionId)) ?? "?")
        : [`0x${Number(l.address).toString(16)}`],
    ]),
  );
  const functions = new Map<string, FunctionBytes>();
  const at = (name: string) => {
    let f = functions.get(name);
    if (!f) functions.set(name, (f = { name, flat: 0, cum: 0 }));
    return f;
  };
  let total = 0;
  for (const s of p.sample) {
    const v = Number(s.value[index] ?? 0);
    if (v === 0) continue;
    total += v;
    const stack = s.locationId.flatMap((id) => locations.get(Number(id)) ?? []);
    const leaf = stack[0];
    if (leaf) at(leaf).flat += v;
    for (const name of new Set(stack)) at(name).cum += v;
  }
  const nanos = Number(p.timeNanos);
  return ok({ sampleType, totalBytes: total, functions, takenAt: nanos > 0 ? nanos / 1e9 : null });
}
