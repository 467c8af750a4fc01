/**
 * Serialises updates of one message: while one is in flight only the newest waiting update is kept,
 * so progress never goes backwards and a burst of progress costs a few API calls, not one each.
 */
export function latestWins<T>(send: (value: T) => Promise<void>, onError: (e: unknown) => void = () => undefined) {
  let pending: { value: T } | undefined;
  let running: Promise<void> | undefined;
  const drain = async () => {
    while (pending) {
      const { value } = pending;
      pending = undefined;
      try {
        await send(value);
      } catch (e) {
        onError(e);
      }
    }
    running = undefined;
  };
  return {
    push(value: T) {
      pending = { value };
      running ??= drain();
    },
    /** resolves once every pushed update has been sent (or has failed) */
    async idle() {
      while (running) await running;
    },
  };
}
