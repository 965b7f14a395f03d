/**
 * A sliding-window counter per client: how many messages each client had accepted within the
 * last `windowMs`. Only a rate limit rule owns one, and `replace` on the engine starts it afresh.
 */
export interface RateWindow {
  /** Messages counted for `client` within the window ending now. */
  count(client: string): number;
  add(client: string): void;
}

export function createRateWindow(windowMs: number, now: () => number): RateWindow {
  const hits = new Map<string, number[]>();
  const recent = (client: string): number[] => {
    const since = now() - windowMs;
    const kept = (hits.get(client) ?? []).filter((t) => t > since);
    if (kept.length === 0) hits.delete(client);
    else hits.set(client, kept);
    return kept;
  };
  return {
    count: (client) => recent(client).length,
    add(client) {
      hits.set(client, [...recent(client), now()]);
    },
  };
}
