/**
 * Webhook delivery: POSTs each request of a provider's webhook format to `webhookUrl`, retrying
 * a failed delivery (network error, timeout or non-2xx, as every provider treats them) with
 * exponential backoff. Every attempt is logged to pino and to the provider's attempt log.
 */

import type { Logger } from "pino";
import type { EventLog } from "./event-log.js";
import type { WebhookRequest, WebhookRetry } from "./types.js";

/** A receiver that takes longer than this counts as failed (SendGrid and Resend allow ~15–30 s). */
const ATTEMPT_TIMEOUT_MS = 10_000;

interface WebhookDelivery {
  url: string;
  request: WebhookRequest;
  retry: WebhookRetry;
}

export interface WebhookDispatcher {
  /** Starts a delivery in the background; failures are retried and logged, never thrown. */
  deliver(delivery: WebhookDelivery): void;
  /** Cancels pending retries and in-flight requests (sandbox stop). */
  stop(): void;
}

export function createWebhookDispatcher(deps: {
  log: EventLog;
  logger: Logger;
  newId: () => string;
  stopSignal: AbortSignal;
}): WebhookDispatcher {
  const { log, logger, stopSignal } = deps;
  const timers = new Set<NodeJS.Timeout>();

  const attempt = async (
    delivery: WebhookDelivery,
    deliveryId: string,
    n: number,
  ): Promise<void> => {
    if (stopSignal.aborted) return;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: { ...delivery.request.headers, ...delivery.request.sign?.() },
        body: delivery.request.body,
        signal: AbortSignal.any([stopSignal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
        redirect: "manual",
      });
      status = response.status;
      // Drain the body so the connection is released.
      await response.arrayBuffer().catch(() => undefined);
      if (status < 200 || status >= 300) error = `receiver answered ${status}`;
    } catch (err) {
      error = (err as Error).cause
        ? String((err as Error & { cause: unknown }).cause)
        : (err as Error).message;
    }
    if (stopSignal.aborted) return;
    const ok = error === null;
    const delay = delivery.retry.delayMs * 2 ** (n - 1);
    const retrying = !ok && n < delivery.retry.attempts;
    log.recordAttempt({
      deliveryId,
      attempt: n,
      url: delivery.url,
      eventIds: delivery.request.eventIds,
      at: new Date().toISOString(),
      status,
      error,
      ok,
      nextAttemptAt: retrying ? new Date(Date.now() + delay).toISOString() : null,
    });
    const fields = {
      deliveryId,
      url: delivery.url,
      attempt: n,
      status,
      events: delivery.request.eventIds.length,
    };
    if (ok) {
      logger.info(fields, "webhook delivered");
      return;
    }
    if (!retrying) {
      logger.error({ ...fields, error }, "webhook delivery failed; no attempts left");
      return;
    }
    logger.warn({ ...fields, error, retryInMs: delay }, "webhook delivery failed; retrying");
    const timer = setTimeout(() => {
      timers.delete(timer);
      void attempt(delivery, deliveryId, n + 1);
    }, delay);
    timers.add(timer);
  };

  return {
    deliver(delivery) {
      void attempt(delivery, deps.newId(), 1);
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
