/**
 * Mounts every provider mock: its real API below `/<name>` and the native state/events API
 * below `/api/providers`. To add a provider, implement a `ProviderModule` in its folder and list
 * it in `PROVIDERS`.
 */

import { Hono } from "hono";
import type { Logger } from "pino";
import { createIdGenerator } from "../core/ids.js";
import type { Ingest } from "../ingest/ingest.js";
import {
  createProviderContext,
  type ProviderModule,
  type ProviderRuntime,
} from "./shared/context.js";
import { createEventLog, type EventLog } from "./shared/event-log.js";
import { logRejections } from "./shared/log-rejections.js";
import { providerBody } from "./shared/refusal.js";
import { nativeProviderRoutes } from "./shared/routes.js";
import type { BytesInFlight } from "../limits/bytes-in-flight.js";
import type { StateRegistry } from "./shared/state.js";
import { postmark } from "./postmark/index.js";
import { resend } from "./resend/index.js";
import { sendgrid } from "./sendgrid/index.js";
import { PROVIDER_NAMES, type ProviderName } from "../core/types.js";
import { createWebhookDispatcher, type WebhookDispatcher } from "./shared/webhooks.js";

import { mailgunProvider } from "./mailgun/index.js";
import { sesProvider } from "./ses/index.js";

const PROVIDERS: ProviderModule[] = [sendgrid, mailgunProvider, postmark, resend, sesProvider];

export { createStateRegistry } from "./shared/state.js";

export interface Providers {
  /** Mount with `app.route("/", providers.app)` before the `/api/*` catch-all. */
  app: Hono;
  states: StateRegistry;
  /** Ends hanging fault requests and cancels pending webhook retries. */
  stop(): void;
}

interface ProvidersDeps {
  ingest: Ingest;
  logger: Logger;
  /** From `createStateRegistry(options.providers)`: made first, so a bad config fails before anything opens. */
  states: StateRegistry;
  /** `--max-size`: request bodies beyond what can carry such a message are refused while they arrive. */
  maxSize: number;
  /** Shared with SMTP and the native API: message bytes being received at once. */
  inFlight: BytesInFlight;
}

export function createProviders(deps: ProvidersDeps): Providers {
  const { states } = deps;
  const stopper = new AbortController();
  const newId = createIdGenerator();
  const logs = new Map<ProviderName, EventLog>();
  const dispatchers: WebhookDispatcher[] = [];
  const runtimes = new Map<ProviderName, ProviderRuntime>();
  const app = new Hono();

  for (const module of PROVIDERS) {
    const logger = deps.logger.child({ provider: module.name });
    const log = createEventLog(module.name, newId);
    const webhooks = createWebhookDispatcher({
      log,
      logger,
      newId: () => newId(),
      stopSignal: stopper.signal,
    });
    const runtime = createProviderContext({
      name: module.name,
      module,
      states,
      log,
      webhooks,
      ingest: deps.ingest,
      logger,
      newId,
      stopSignal: stopper.signal,
    });
    logs.set(module.name, log);
    dispatchers.push(webhooks);
    runtimes.set(module.name, runtime);
    app.use(`/${module.name}/*`, logRejections(logger));
    app.use(`/${module.name}/*`, providerBody(module.refuse, module.maxRequestBytes, deps));
    app.route(`/${module.name}`, module.routes(runtime.context));
  }
  // A provider without a module still has state and an (empty) event log.
  for (const name of PROVIDER_NAMES) {
    if (!logs.has(name)) logs.set(name, createEventLog(name, newId));
  }
  app.route(
    "/api/providers",
    nativeProviderRoutes({ states, logs, onReset: (name) => runtimes.get(name)?.clearRecords() }),
  );

  return {
    app,
    states,
    stop() {
      stopper.abort();
      for (const dispatcher of dispatchers) dispatcher.stop();
    },
  };
}
