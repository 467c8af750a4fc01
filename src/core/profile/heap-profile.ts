/**
 * A heap profile as memops reads it (issue 16): in-use bytes per function, flat (allocated in the
 * function itself) and cumulative (in it or anything it called), and the total. Pure: the bytes are
 * decoded in `src/profile/decode-heap.ts`; here they are ranked and compared.
 */

export interface FunctionBytes {
  name: string;
  flat: number;
  cum: number;
}

export interface HeapProfile {
  /** the sample type read, "inuse_space" for a Go heap profile */
  sampleType: string;
  totalBytes: number;
  /** every function seen in a sample, by name */
  functions: ReadonlyMap<string, FunctionBytes>;
  /** when it was taken (Unix seconds), from the profile when it says */
  takenAt: number | null;
}

/** The name a profile is attached under in the thread: the first and second of a pod, for `go tool pprof -diff_base`. */
export const profileFile = (pod: string, n: 1 | 2) => `heap-${pod}-${n}.pb.gz`;

export interface Ranked extends FunctionBytes {
  /** of the heap's total */
  flatShare: number;
  cumShare: number;
}

const share = (bytes: number, total: number) => (total > 0 ? bytes / total : 0);

/** The top `n` functions by flat in-use bytes, then by cumulative, with their shares of the heap. */
export function topFunctions(p: HeapProfile, n: number): { byFlat: Ranked[]; byCum: Ranked[] } {
  const all = [...p.functions.values()].map((f) => ({
    ...f,
    flatShare: share(f.flat, p.totalBytes),
    cumShare: share(f.cum, p.totalBytes),
  }));
  return {
    byFlat: all
      .filter((f) => f.flat > 0)
      .sort((a, b) => b.flat - a.flat || a.name.localeCompare(b.name))
      .slice(0, n),
    byCum: all
      .filter((f) => f.cum > 0)
      .sort((a, b) => b.cum - a.cum || a.name.localeCompare(b.name))
      .slice(0, n),
  };
}

export interface Growth {
  name: string;
  /** flat in-use bytes in the first profile and the second */
  before: number;
  after: number;
  /** after − before */
  delta: number;
  cumDelta: number;
}

export interface ProfileDiff {
  totalBefore: number;
  totalAfter: number;
  seconds: number | null;
  /** the biggest flat growth first; only functions that grew */
  grew: Growth[];
  /** the biggest shrink first */
  shrank: Growth[];
}

/**
 * What changed between two profiles of one process: the full maps are compared, then truncated (a
 * function that was small in both but grew is still seen). Growth in the same function over time is
 * what tells a leak from a plateau.
 */
export function diffProfiles(a: HeapProfile, b: HeapProfile, n: number): ProfileDiff {
  const names = new Set([...a.functions.keys(), ...b.functions.keys()]);
  const rows: Growth[] = [...names].map((name) => {
    const x = a.functions.get(name),
      y = b.functions.get(name);
    return {
      name,
      before: x?.flat ?? 0,
      after: y?.flat ?? 0,
      delta: (y?.flat ?? 0) - (x?.flat ?? 0),
      cumDelta: (y?.cum ?? 0) - (x?.cum ?? 0),
    };
  });
  const byName = (p: Growth, q: Growth) => p.name.localeCompare(q.name);
  return {
    totalBefore: a.totalBytes,
    totalAfter: b.totalBytes,
    seconds: a.takenAt !== null && b.takenAt !== null ? b.takenAt - a.takenAt : null,
    grew: rows
      .filter((r) => r.delta > 0)
      .sort((p, q) => q.delta - p.delta || byName(p, q))
      .slice(0, n),
    shrank: rows
      .filter((r) => r.delta < 0)
      .sort((p, q) => p.delta - q.delta || byName(p, q))
      .slice(0, n),
  };
}
