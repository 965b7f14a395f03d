import type { Logger } from "pino";
import type { EventBus } from "../core/events.js";
import type { Query } from "../store/query.js";
import type { Store } from "../store/store.js";

/** Deleted per transaction: a large backlog is pruned in short writes that capture slips between. */
const BATCH = 500;
/** Checked at most this often, and at least ten times per max age. */
const MAX_INTERVAL_MS = 60_000;

/**
 * `--max-age`: messages received longer ago than `maxAgeMs` are deleted in the background, in
 * small batches, each followed by a `message.deleted` event.
 */
export function startAgeRetention(
  deps: { store: Store; events: EventBus; logger: Logger; now?: () => number },
  maxAgeMs: number,
): { stop(): Promise<void> } {
  const now = deps.now ?? Date.now;
  const interval = Math.min(MAX_INTERVAL_MS, Math.max(1000, Math.floor(maxAgeMs / 10)));
  let running: Promise<void> | null = null;
  let stopped = false;

  const prune = async () => {
    const olderThan: Query = {
      terms: [{ kind: "field", field: "before", value: now() - maxAgeMs, negate: false }],
    };
    for (;;) {
      if (stopped) return;
      const { messages } = await deps.store.list({ query: olderThan, limit: BATCH });
      if (messages.length === 0) return;
      const ids = await deps.store.deleteIds(messages.map((m) => m.id));
      if (ids.length > 0) deps.events.emit("message.deleted", { ids });
      deps.logger.debug({ count: ids.length }, "pruned messages past --max-age");
      // Let capture and the API run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const tick = () => {
    running ??= prune()
      .catch((err: unknown) =>
        deps.logger.error({ err }, "pruning by age failed; trying again later"),
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, interval);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
