/**
 * The per-provider event log behind `GET /api/providers/:name/events`, and the webhook attempt
 * log behind `GET /api/providers/:name/webhooks`. In memory, bounded: the oldest entries go first.
 */

import type { IdGenerator } from "../../core/ids.js";
import type { NewProviderEvent, ProviderEvent, ProviderName, WebhookAttempt } from "./types.js";

/** Enough for any test run; a long-running sandbox keeps the most recent ones. */
const MAX_ENTRIES = 10_000;

export interface EventFilter {
  type?: string;
  recipient?: string;
  providerMessageId?: string;
  messageId?: string;
}

export interface EventLog {
  append(event: NewProviderEvent): ProviderEvent;
  list(filter?: EventFilter): ProviderEvent[];
  recordAttempt(attempt: WebhookAttempt): void;
  attempts(): WebhookAttempt[];
  clear(): void;
}

export function createEventLog(provider: ProviderName, newId: IdGenerator): EventLog {
  const events: ProviderEvent[] = [];
  const attempts: WebhookAttempt[] = [];
  const bounded = <T>(list: T[], item: T) => {
    list.push(item);
    if (list.length > MAX_ENTRIES) list.splice(0, list.length - MAX_ENTRIES);
  };
  return {
    append(input) {
      const now = Date.now();
      const event: ProviderEvent = {
        id: newId(now),
        provider,
        timestamp: new Date(now).toISOString(),
        ...input,
      };
      bounded(events, event);
      return event;
    },
    list(filter = {}) {
      const recipient = filter.recipient?.toLowerCase();
      return events.filter(
        (e) =>
          (filter.type === undefined || e.type === filter.type) &&
          (recipient === undefined || e.recipient?.toLowerCase() === recipient) &&
          (filter.providerMessageId === undefined ||
            e.providerMessageId === filter.providerMessageId) &&
          (filter.messageId === undefined || e.messageId === filter.messageId),
      );
    },
    recordAttempt(attempt) {
      bounded(attempts, attempt);
    },
    attempts() {
      return [...attempts];
    },
    clear() {
      events.length = 0;
      attempts.length = 0;
    },
  };
}
