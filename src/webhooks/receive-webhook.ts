import type { Logger } from "pino";
import type { EventBus } from "../core/events.js";
import type { MessageSummary } from "../core/types.js";

interface ReceiveWebhookOptions {
  url: string;
  /** Deliveries started per second; 0 is no limit. Mailpit's `--webhook-limit`. @default 5 */
  limitPerSecond?: number;
  /** Attempts per message, the first included. @default 5 */
  attempts?: number;
  /** Before the 2nd attempt; doubles for each later one. @default 1000 */
  retryDelayMs?: number;
  /** One attempt that takes longer counts as failed. @default 10000 */
  timeoutMs?: number;
}

export interface WebhookStatus {
  /** The URL without credentials or query. */
  url: string;
  delivered: number;
  failed: number;
  /** Waiting for their turn or for a retry. */
  pending: number;
  /** Dropped unsent because the queue was full (a receiver far slower than the mail). */
  dropped: number;
  lastError: string | null;
}

export interface ReceiveWebhook {
  status(): WebhookStatus;
  stop(): void;
}

/** Queued deliveries beyond this drop the oldest: a dead receiver must not grow memory forever. */
const MAX_QUEUED = 10_000;

/**
 * `--webhook URL`: POSTs `{ event: "message.received", message: summary }` for each captured
 * message, after it is stored and acknowledged, never on the capture path. A failure (network
 * error, timeout, non-2xx) is retried with exponential backoff; a delivery that runs out of
 * attempts is logged and counted.
 */
export function startReceiveWebhook(
  deps: { events: EventBus; logger: Logger; onFailure(): void },
  options: ReceiveWebhookOptions,
): ReceiveWebhook {
  const limit = options.limitPerSecond ?? 5;
  const attempts = options.attempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const stopping = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const queue: Array<{ summary: MessageSummary; attempt: number }> = [];
  const counts = { delivered: 0, failed: 0, dropped: 0, retrying: 0, inFlight: 0 };
  let lastError: string | null = null;
  let pumping = false;
  let lastStart = 0;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const attempt = async (summary: MessageSummary, n: number) => {
    let error: string | null = null;
    counts.inFlight++;
    try {
      const response = await fetch(options.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "mailproof-webhook" },
        body: JSON.stringify({ event: "message.received", message: summary }),
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]),
        redirect: "manual",
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) error = `receiver answered ${response.status}`;
    } catch (err) {
      error = (err as Error).cause
        ? String((err as Error & { cause: unknown }).cause)
        : (err as Error).message;
    } finally {
      counts.inFlight--;
    }
    if (stopping.signal.aborted) return;
    const fields = { url: options.url, id: summary.id, attempt: n };
    if (error === null) {
      counts.delivered++;
      deps.logger.debug(fields, "webhook delivered");
      return;
    }
    lastError = error;
    if (n >= attempts) {
      counts.failed++;
      deps.onFailure();
      deps.logger.error({ ...fields, error }, "webhook delivery failed; no attempts left");
      return;
    }
    const delay = retryDelayMs * 2 ** (n - 1);
    deps.logger.warn({ ...fields, error, retryInMs: delay }, "webhook delivery failed; retrying");
    counts.retrying++;
    later(delay, () => {
      counts.retrying--;
      enqueue({ summary, attempt: n + 1 });
    });
  };

  /** Starts queued deliveries, at most `limit` per second. */
  const pump = () => {
    if (pumping || stopping.signal.aborted) return;
    const next = queue.shift();
    if (!next) return;
    const wait = limit > 0 ? Math.max(0, lastStart + 1000 / limit - Date.now()) : 0;
    pumping = true;
    later(wait, () => {
      pumping = false;
      lastStart = Date.now();
      void attempt(next.summary, next.attempt);
      pump();
    });
  };

  const enqueue = (item: { summary: MessageSummary; attempt: number }) => {
    queue.push(item);
    if (queue.length > MAX_QUEUED) {
      queue.shift();
      counts.dropped++;
    }
    pump();
  };

  const unsubscribe = deps.events.on("message.received", ({ summary }) =>
    enqueue({ summary, attempt: 1 }),
  );
  return {
    status: () => ({
      url: withoutSecrets(options.url),
      delivered: counts.delivered,
      failed: counts.failed,
      pending: queue.length + counts.retrying + counts.inFlight + (pumping ? 1 : 0),
      dropped: counts.dropped,
      lastError,
    }),
    stop() {
      unsubscribe();
      stopping.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** Health is open to anyone on the machine: show where deliveries go, not a token in the URL. */
function withoutSecrets(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
