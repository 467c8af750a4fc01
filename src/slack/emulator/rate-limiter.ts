/** Token buckets: `capacity` requests at once, refilled at `perSecond`; Slack's tiers are per minute. */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** 0 when allowed (and counted), else the seconds to wait (Retry-After). */
  take(key: string, capacity: number, perSecond: number): number {
    const now = this.#now() / 1000;
    const b = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perSecond);
    b.at = now;
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  }
}

/** Per-minute allowances of Slack's tiers (docs.slack.dev "Rate limits"). */
export const TIERS = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;
