import type { Logger } from "pino";
import type { EventBus } from "../core/events.js";
import type { Message } from "../core/types.js";
import { matches, toSearchable, type Query } from "../store/query.js";
import type { Store } from "../store/store.js";

interface Waiter {
  query: Query;
  afterId: string;
  resolve: (message: Message) => void;
}

export interface Waiters {
  /**
   * Resolves with the first message matching `query` with an id after `afterId`, once its
   * analysis is done (tests read links and verdicts straight away), or null at the timeout.
   */
  wait(
    query: Query,
    afterId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Message | null>;
}

/**
 * One listener on `message.analyzed` serves every waiter: each arriving message is loaded once
 * and tested against all pending queries, so many concurrent waiters cost one read per message.
 */
export function createWaiters(deps: { store: Store; events: EventBus; logger: Logger }): Waiters {
  const waiters = new Set<Waiter>();

  deps.events.on("message.analyzed", ({ id }) => {
    if (waiters.size === 0) return;
    deps.store.get(id).then(
      (message) => {
        if (!message) return;
        const searchable = toSearchable(message);
        for (const waiter of waiters) {
          if (id > waiter.afterId && matches(waiter.query, searchable)) waiter.resolve(message);
        }
      },
      (err: unknown) => deps.logger.error({ err, id }, "wait could not load an arrived message"),
    );
  });

  return {
    async wait(query, afterId, timeoutMs, signal) {
      let waiter: Waiter | undefined;
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const arrived = new Promise<Message | null>((resolve) => {
        // Registered before the store is asked, so nothing arriving in between is missed.
        waiter = { query, afterId, resolve };
        waiters.add(waiter);
        timer = setTimeout(() => resolve(null), timeoutMs);
        onAbort = () => resolve(null);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
      try {
        const existing = await deps.store.firstAfter(query, afterId);
        if (existing && existing.analysis.status === "done") return existing;
        // Nothing yet, or stored but still being analysed: its analyzed event completes the wait.
        return await arrived;
      } finally {
        waiters.delete(waiter!);
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}
