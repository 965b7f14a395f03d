export {
  bareAddress,
  domainOf,
  isApiKeyAllowed,
  isRecipientAllowed,
  isSenderPending,
  isSenderVerified,
  isSuppressed,
} from "./checks.js";
export { buildMime, captureMessage, signDkim, type CaptureInput } from "./capture.js";
export {
  createProviderContext,
  type ProviderContext,
  type ProviderModule,
  type ProviderRuntime,
} from "./context.js";
export { createEventLog, type EventFilter, type EventLog } from "./event-log.js";
export {
  createFaultEngine,
  type FaultEngine,
  type FaultOutcome,
  type FaultTarget,
} from "./faults.js";
export { createRateLimiter, type RateLimiter, type RateLimitResult } from "./rate-limit.js";
export { logRejections } from "./log-rejections.js";
export { nativeProviderRoutes } from "./routes.js";
export { createStateRegistry, defaultState, type StateRegistry } from "./state.js";
export {
  findTemplate,
  renderTemplate,
  TemplateRenderError,
  type RenderedTemplate,
} from "./templates.js";
export * from "./types.js";
export { createWebhookDispatcher, type WebhookDispatcher } from "./webhooks.js";
