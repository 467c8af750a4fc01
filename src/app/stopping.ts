/**
 * A wait that ends when memops stops: a `/mem profile --compare` waiting minutes for its second profile
 * does not hold up a rolling update. The wait rejects with `Stopping`; what waited has put its work on
 * record first (the comparison is in the store), and the next start or another replica takes it over.
 */
export class Stopping extends Error {
  constructor() {
    super("memops is stopping");
  }
}

export function stoppable(sleep: (ms: number) => Promise<void>, signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Stopping());
      const onStop = () => reject(new Stopping());
      signal.addEventListener("abort", onStop, { once: true });
      sleep(ms)
        .finally(() => signal.removeEventListener("abort", onStop))
        .then(resolve, reject);
    });
}
