/**
 * What a provider mock gets: its current state, the capture pipeline, its event log (with webhook
 * delivery in its own format), the fault engine, the rate limiter and a small record store. One
 * context per provider per sandbox; nothing is module-level.
 */

import type { Hono } from "hono";
import type { Logger } from "pino";
import type { IdGenerator } from "../../core/ids.js";
import type { Message } from "../../core/types.js";
import type { Ingest } from "../../ingest/ingest.js";
import { captureMessage, type CaptureInput } from "./capture.js";
import type { EventFilter, EventLog } from "./event-log.js";
import type { RenderRefusal } from "./refusal.js";
import { createFaultEngine, type FaultOutcome, type FaultTarget } from "./faults.js";
import { createRateLimiter, type RateLimitResult } from "./rate-limit.js";
import type { StateRegistry } from "./state.js";
import type {
  NewProviderEvent,
  ProviderEvent,
  ProviderName,
  ProviderState,
  WebhookRequest,
} from "./types.js";
import type { WebhookDispatcher } from "./webhooks.js";

/** What `src/providers/index.ts` lists for each provider. */
export interface ProviderModule {
  name: ProviderName;
  /** The provider's real API, mounted below `/<name>` (e.g. `/sendgrid/v3/mail/send`). */
  routes(ctx: ProviderContext): Hono;
  /** The provider's webhook format: the HTTP requests (body + headers) that carry these events. */
  webhookRequests(events: ProviderEvent[], state: ProviderState): WebhookRequest[];
  /** The sandbox's limits in the provider's error format. */
  refuse: RenderRefusal;
  /** The largest request body the real API takes; refused while it arrives beyond it. */
  maxRequestBytes: number;
}

export interface ProviderContext {
  name: ProviderName;
  logger: Logger;
  /** The current state. Read it once per request: a PUT replaces the object. */
  state(): ProviderState;
  /** Applies a state patch as `PUT /api/providers/:name` does (e.g. a hard bounce adds a suppression). */
  updateState(patch: Partial<ProviderState>): ProviderState;
  /** Builds the MIME message, DKIM-signs it like the provider, ingests it. */
  capture(input: CaptureInput): Promise<Message>;
  /** Logs the events, then POSTs them to `webhookUrl` (when set) in the provider's format. */
  emit(events: NewProviderEvent[]): ProviderEvent[];
  events(filter?: EventFilter): ProviderEvent[];
  /**
   * Applies the first fault rule that fires for this sender/recipients: waits its delay, hangs
   * until `signal` (the request's) aborts, or returns the status to answer with; null = proceed.
   */
  fault(target: FaultTarget, signal: AbortSignal): Promise<FaultOutcome | "hung" | null>;
  /** Counts one API request against `state.rateLimit`; null when unlimited. */
  rateLimit(): RateLimitResult | null;
  /** Provider-side records by provider message id (Resend `GET /emails/:id`, Mailgun events…). Bounded. */
  remember(id: string, record: unknown): void;
  recall<T>(id: string): T | undefined;
  /** Unique ids for the provider's own id formats. */
  newId: IdGenerator;
}

const MAX_RECORDS = 10_000;

interface ContextDeps {
  name: ProviderName;
  module: ProviderModule;
  states: StateRegistry;
  log: EventLog;
  webhooks: WebhookDispatcher;
  ingest: Ingest;
  logger: Logger;
  newId: IdGenerator;
  stopSignal: AbortSignal;
}

export interface ProviderRuntime {
  context: ProviderContext;
  /** Forgets the records (state reset). */
  clearRecords(): void;
}

export function createProviderContext(deps: ContextDeps): ProviderRuntime {
  const { name, states, log, logger } = deps;
  // A fired rule is logged (pino and the event log, as `mailproof.fault`) so a test can see
  // which fault answered; it is not a provider event, so no webhook carries it.
  const faults = createFaultEngine(deps.stopSignal, {
    onFire(rule, target) {
      logger.info(
        { provider: name, rule, from: target.from, to: target.to },
        "provider fault fired",
      );
      log.append({
        type: "mailproof.fault",
        providerMessageId: null,
        messageId: null,
        recipient: target.to[0] ?? null,
        data: { rule, from: target.from, to: target.to },
      });
    },
  });
  const limiter = createRateLimiter();
  const records = new Map<string, unknown>();

  const context: ProviderContext = {
    name,
    logger,
    newId: deps.newId,
    state: () => states.get(name),
    updateState: (patch) => states.update(name, patch),
    capture: (input) =>
      captureMessage({ ingest: deps.ingest, provider: name, state: states.get(name) }, input),
    emit(input) {
      const logged = input.map((event) => log.append(event));
      for (const event of logged)
        logger.debug(
          {
            provider: name,
            type: event.type,
            recipient: event.recipient,
            providerMessageId: event.providerMessageId,
          },
          "provider event",
        );
      const state = states.get(name);
      if (state.webhookUrl && logged.length > 0) {
        for (const request of deps.module.webhookRequests(logged, state)) {
          deps.webhooks.deliver({ url: state.webhookUrl, request, retry: state.webhookRetry });
        }
      }
      return logged;
    },
    events: (filter) => log.list(filter),
    fault: (target, signal) => faults.apply(states.get(name).faults, target, signal),
    rateLimit: () => limiter.take(states.get(name).rateLimit),
    remember(id, record) {
      records.set(id, record);
      if (records.size > MAX_RECORDS) records.delete(records.keys().next().value as string);
    },
    recall: <T>(id: string) => records.get(id) as T | undefined,
  };
  return { context, clearRecords: () => records.clear() };
}
