import type { Logger } from "pino";
import type { SandboxOptions } from "../config/options.js";
import type { EventBus } from "../core/events.js";
import { startAgeRetention } from "../ingest/age-retention.js";
import type { Ingest } from "../ingest/ingest.js";
import type { BytesInFlight } from "../limits/bytes-in-flight.js";
import type { Metrics } from "../metrics/metrics.js";
import { createProviders, type Providers } from "../providers/index.js";
import { DEFAULT_SIGNING_KEY } from "../providers/mailgun/webhook.js";
import { startAutoRelay } from "../relay/auto-relay.js";
import { createRelay, type Relay } from "../relay/relay.js";
import { createInboundTarget, startResponder, type InboundTarget } from "../roundtrip/index.js";
import type { Store } from "../store/store.js";
import { startReceiveWebhook, type ReceiveWebhook } from "../webhooks/receive-webhook.js";
import type { CheckedOptions } from "./checked-options.js";
import { connectableHost } from "./hosts.js";

export interface ServicesDeps {
  store: Store;
  events: EventBus;
  ingest: Ingest;
  logger: Logger;
  metrics: Metrics;
  inFlight: BytesInFlight;
  /** The HTTP port once listening: the SNS links the SES mock signs point at it. */
  httpPort: () => number | null;
}

/** The parts around ingest: provider mocks, relay, webhook, responses, retention by age. */
export interface Services {
  providers: Providers;
  relay: Relay | null;
  webhook: ReceiveWebhook | null;
  inbound: InboundTarget | null;
  /** Ingest for the SMTP listeners: captures, then bounces or replies as `--bounces` says. */
  smtpIngest: Ingest;
  /** Stops them, after the listeners have stopped. */
  stop(): Promise<void>;
}

export function startServices(
  deps: ServicesDeps,
  checked: CheckedOptions,
  options: SandboxOptions,
): Services {
  const { store, events, ingest, logger, metrics } = deps;
  const providerStates = checked.providerStates;
  const providers = createProviders({
    ingest,
    logger,
    states: providerStates,
    maxSize: options.maxSize,
    inFlight: deps.inFlight,
  });
  const relay = checked.relayTarget
    ? createRelay({ logger }, { target: checked.relayTarget, allow: options.relayAllow })
    : null;
  const webhook = options.webhook
    ? startReceiveWebhook(
        { events, logger, onFailure: () => metrics.webhookFailed("message.received") },
        { url: options.webhook, limitPerSecond: options.webhookLimit },
      )
    : null;
  // Responses are signed with the keys the provider mocks sign their webhooks with.
  const inbound = options.inbound
    ? createInboundTarget(
        {
          logger,
          keys: {
            mailgun: () => providerStates.get("mailgun").webhookSecret ?? DEFAULT_SIGNING_KEY,
            sns: () => snsLinks(deps.httpPort(), options.host),
          },
        },
        options.inbound,
      )
    : null;
  const responder = startResponder({ ingest, logger, inbound }, checked.bounceRules);
  const ageRetention =
    options.maxAge !== null ? startAgeRetention({ store, events, logger }, options.maxAge) : null;
  const autoRelay =
    relay && checked.relayMatching
      ? startAutoRelay(
          { events, store, relay, logger, onFailure: () => metrics.relayFailed() },
          checked.relayMatching,
        )
      : null;

  const stop = async () => {
    // The listeners' closed connections already ended hanging provider requests (the client sees
    // the connection drop); this cancels pending webhook retries.
    providers.stop();
    await autoRelay?.stop();
    await responder.stop();
    inbound?.close();
    webhook?.stop();
    await ageRetention?.stop();
    relay?.close();
  };
  return { providers, relay, webhook, inbound, smtpIngest: responder.answering(ingest), stop };
}

/** The SES mock serves the SNS signing certificate on the HTTP port (src/providers/ses/routes.ts). */
function snsLinks(httpPort: number | null, host: string) {
  const h = connectableHost(host);
  const origin = `http://${h.includes(":") ? `[${h}]` : h}:${httpPort ?? 0}`;
  return {
    signingCertUrl: `${origin}/ses/sns-signing-cert.pem`,
    unsubscribeUrl: `${origin}/ses/sns-unsubscribe`,
    region: "us-east-1",
  };
}
