/**
 * The `rateLimit` state: requests per second per provider account, counted in fixed one-second
 * windows. Each provider reports the result in its own headers (SendGrid `X-RateLimit-*`,
 * Resend `ratelimit-*` + `retry-after`, …).
 */

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (at least 1, as the providers' headers round up). */
  resetSeconds: number;
  /** Epoch seconds of the reset (SendGrid's `X-RateLimit-Reset`). */
  resetAt: number;
}

export interface RateLimiter {
  /**
   * Counts one request, limited or not (the provider counts every request, so a limit switched
   * on mid-second already sees that second's requests); null when there is no limit.
   */
  take(limit: number | null): RateLimitResult | null;
}

export function createRateLimiter(now: () => number = Date.now): RateLimiter {
  let windowStart = 0;
  let count = 0;
  return {
    take(limit) {
      const t = now();
      if (t - windowStart >= 1000) {
        windowStart = t;
        count = 0;
      }
      count++;
      if (limit === null) return null;
      const resetMs = windowStart + 1000;
      return {
        allowed: count <= limit,
        limit,
        remaining: Math.max(0, Math.floor(limit) - count),
        resetSeconds: Math.max(1, Math.ceil((resetMs - t) / 1000)),
        resetAt: Math.ceil(resetMs / 1000),
      };
    },
  };
}
