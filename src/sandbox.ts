import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import type { Logger } from "pino";
import { createDnsZone } from "./analysis/dns/index.js";
import { parseSpamdAddress } from "./analysis/spam/spamc.js";
import {
  createLinkChecker,
  createLiveCheckQueue,
  withLiveResults,
  type LiveCheckQueue,
} from "./analysis/links/index.js";
import {
  analysisWorkersAvailable,
  createAnalysisPool,
  notifyingZone,
  type AnalysisPool,
} from "./analysis/workers/pool.js";
import { createApiApp } from "./api/app.js";
import { createAccessControl } from "./api/auth.js";
import { createCrossSiteGuard } from "./api/cross-site.js";
import { attachMailpitWebsocket } from "./api/compat/mailpit/websocket.js";
import { analysisSettings, withDefaults, type SandboxOptions } from "./config/options.js";
import { MailproofError } from "./core/errors.js";
import { createEventBus, type EventBus } from "./core/events.js";
import { createIdGenerator } from "./core/ids.js";
import { createLogger, resolveLogFormat } from "./core/logger.js";
import { createMetrics } from "./metrics/metrics.js";
import { createConfiguredFaultEngine } from "./faults/index.js";
import { compileTagRules } from "./ingest/capture-tags.js";
import { startAgeRetention } from "./ingest/age-retention.js";
import { startAutoRelay } from "./relay/auto-relay.js";
import { startReceiveWebhook } from "./webhooks/receive-webhook.js";
import { parseRelayTarget } from "./relay/relay-target.js";
import { createRelay } from "./relay/relay.js";
import { parseQuery } from "./store/query.js";
import {
  compileBounceRules,
  createInboundTarget,
  parseInboundUrl,
  startResponder,
} from "./roundtrip/index.js";
import { DEFAULT_SIGNING_KEY } from "./providers/mailgun/webhook.js";
import { createIngest, type Ingest } from "./ingest/ingest.js";
import { bytesInFlightLimit, createBytesInFlight } from "./limits/bytes-in-flight.js";
import { requestBodyLimit } from "./limits/receive-body.js";
import { createProviders, createStateRegistry } from "./providers/index.js";
import { createImapListener } from "./imap/imap-listener.js";
import { createPop3Listener } from "./pop3/pop3-listener.js";
import { createSmtpListener, type SmtpListener } from "./smtp/smtp-listener.js";
import { createTestCertificateSource } from "./smtp/test-certificates.js";
import { resolveTls } from "./smtp/tls.js";
import { checkTlsPair, listenError, storeError } from "./start-errors.js";
import { isPostgresUrl, openStore } from "./store/open-store.js";
import { createNotifyBridge } from "./store/postgres/notify-bridge.js";
import type { Store } from "./store/store.js";
import { createTranscriptRecorder } from "./transcripts/recorder.js";

export interface Sandbox {
  smtpPort: number;
  smtpsPort: number | null;
  /** `--pop3-port`, or null when POP3 is off. */
  pop3Port: number | null;
  /** `--imap-port`, or null when IMAP is off. */
  imapPort: number | null;
  httpPort: number;
  /** Base URL of the web UI and REST API. */
  url: string;
  store: Store;
  events: EventBus;
  ingest: Ingest;
  logger: Logger;
  /** Stops listening, lets in-flight messages finish, then closes the store. */
  stop(): Promise<void>;
}

const ANALYSES_QUEUED_PER_WORKER = 8;

const HTTP_APP = Symbol("http app");
/** A sandbox as createSandbox makes it: with its HTTP app, kept off the public `Sandbox` type. */
type SandboxWithApp = Sandbox & { readonly [HTTP_APP]: Hono };

/** The app behind `sandbox.url`: tests send it requests in process (test/helpers/sandbox.ts). */
export function httpAppOf(sandbox: Sandbox): Hono {
  const app = (sandbox as Partial<SandboxWithApp>)[HTTP_APP];
  if (!app) throw new Error("not a sandbox made by createSandbox");
  return app;
}

export type CreateSandboxOptions = Partial<SandboxOptions> & { logger?: Logger };

/** The composition root: options → store, events, ingest, SMTP, HTTP. Returns once listening. */
export async function createSandbox(input: CreateSandboxOptions = {}): Promise<Sandbox> {
  const { logger: givenLogger, ...rest } = input;
  const options = withDefaults(rest);
  const logger =
    givenLogger ?? createLogger({ level: options.logLevel, format: options.logFormat });
  // One zone for the whole sandbox: the analysis resolver reads it, PUT /api/dns replaces it
  // (and the analysis workers get the new zone).
  let pool: AnalysisPool | null = null;
  const dnsZone = notifyingZone(createDnsZone(options.dnsZone), (zone) => pool?.updateZone(zone));
  // Checked before the store opens, so a bad --dns-zone or --spamd fails without leaving it open.
  if (options.spamd) parseSpamdAddress(options.spamd);
  // Provider state from the config file is validated before anything opens.
  const providerStates = createStateRegistry(options.providers);
  // SMTP fault rules (config file, --fault) likewise; PUT /api/faults replaces them at run time.
  const faults = createConfiguredFaultEngine({}, options.faults);
  const certificates = createTestCertificateSource();
  const tagRules = compileTagRules(options.tagRules);
  const relayTarget = options.relay ? parseRelayTarget(options.relay) : null;
  const relayMatching = options.relayMatching ? parseQuery(options.relayMatching) : null;
  if (relayMatching && options.relayAllow.length === 0) {
    throw new MailproofError(
      "CONFIG_INVALID",
      "--relay-matching relays real mail without anyone looking: give --relay-allow recipient globs (e.g. '*@example.com') too",
    );
  }
  if (relayMatching && !relayTarget)
    throw new MailproofError("CONFIG_INVALID", "--relay-matching needs --relay smtp://host:port");
  const bounceRules = compileBounceRules(options.bounces);
  if (options.inbound) parseInboundUrl(options.inbound);
  checkTlsPair(options.tlsCert, options.tlsKey);
  const store = await openStore(options.db, logger).catch((err: unknown) => {
    throw storeError(err, options.db);
  });
  // Instances sharing one PostgreSQL database see each other's events through LISTEN/NOTIFY.
  const bridge = isPostgresUrl(options.db)
    ? await createNotifyBridge({
        connectionString: options.db,
        events: createEventBus(),
        store,
        logger,
      }).catch(async (err: unknown) => {
        await store.close();
        throw err;
      })
    : null;
  const events = bridge?.events ?? createEventBus();
  const workerCount =
    options.analysisWorkers ??
    (analysisWorkersAvailable() ? Math.max(1, availableParallelism() - 1) : 0);
  // Analysis gets only its settings; "auto" log format is decided here, where stderr may be a terminal.
  const analysis = { ...analysisSettings(options), logFormat: resolveLogFormat(options.logFormat) };
  pool =
    workerCount > 0 ? createAnalysisPool(analysis, dnsZone, logger, { size: workerCount }) : null;
  // With workers the main thread never loads the analysers (mailauth and the rest: ~10 MB of heap).
  const analyze =
    pool?.analyze ??
    (await import("./analysis/index.js")).createAnalysisPipeline(analysis, logger, dnsZone);
  const liveChecks = options.linkCheck ? createLiveChecks(store, events, logger, options) : null;
  // The gauges read ingest at scrape time, after it exists.
  const metrics = createMetrics({ events, store, backlog: () => ingest.backlog() });
  const ingest = metrics.timedIngest(
    createIngest({
      store,
      events,
      logger,
      analyze: metrics.timedAnalyze(analyze),
      afterAnalysis: liveChecks
        ? (id, analysis) => liveChecks.enqueue(id, analysis.links)
        : undefined,
      newId: createIdGenerator(),
      tagRules,
      mailboxBy: options.mailboxBy,
      maxMessages: options.maxMessages,
      maxSize: options.maxSize,
      // A few queued per worker keep it busy; more would only hold messages in memory twice (here
      // and in the worker's queue) while a burst lasts.
      maxAnalysesInFlight: ANALYSES_QUEUED_PER_WORKER * Math.max(1, workerCount),
    }),
  );
  // SMTP session transcripts, kept with the messages' retention.
  const recorder = metrics.countedSessions(
    createTranscriptRecorder(
      { store, logger, newId: createIdGenerator() },
      { maxSessions: options.maxMessages },
    ),
  );

  // One budget for every SMTP connection and HTTP ingestion path (docs/limits.md).
  const inFlight = createBytesInFlight(
    bytesInFlightLimit(options.maxSize, requestBodyLimit(options.maxSize)),
  );

  const listeners: SmtpListener[] = [];
  const ports = {
    smtpPort: null as number | null,
    smtpsPort: null as number | null,
    pop3Port: null as number | null,
    imapPort: null as number | null,
    httpPort: null as number | null,
  };
  let pop3: ReturnType<typeof createPop3Listener> | null = null;
  let imap: ReturnType<typeof createImapListener> | null = null;
  const providers = createProviders({
    ingest,
    logger,
    states: providerStates,
    maxSize: options.maxSize,
    inFlight,
  });
  const relay = relayTarget
    ? createRelay({ logger }, { target: relayTarget, allow: options.relayAllow })
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
            sns: () => snsLinks(ports.httpPort, options.host),
          },
        },
        options.inbound,
      )
    : null;
  const responder = startResponder({ ingest, logger, inbound }, bounceRules);
  const smtpIngest = responder.answering(ingest);
  const ageRetention =
    options.maxAge !== null ? startAgeRetention({ store, events, logger }, options.maxAge) : null;
  const autoRelay =
    relay && relayMatching
      ? startAutoRelay(
          { events, store, relay, logger, onFailure: () => metrics.relayFailed() },
          relayMatching,
        )
      : null;
  // --ui-auth / --api-token guard the UI, REST, SSE, compat routes and the Mailpit websocket alike.
  const access = createAccessControl(
    { logger, httpPort: () => ports.httpPort },
    { uiAuth: options.uiAuth, apiToken: options.apiToken, host: options.host },
  );
  const crossSite = createCrossSiteGuard({ logger }, { cors: options.cors });
  const app = createApiApp({
    store,
    events,
    ingest,
    logger,
    maxSize: options.maxSize,
    inFlight,
    dnsZone,
    providers: providers.app,
    spamAssassin: options.spamd !== null,
    links: { appUrl: options.appUrl, allowedLinkHosts: options.allowedLinkHosts },
    ports: () => ports,
    faults,
    sessions: recorder,
    faultRules: { get: () => faults.rules(), set: (rules) => faults.replace(rules) },
    testCa: async () => (await certificates.get()).ca.cert,
    access,
    crossSite,
    cors: options.cors,
    metrics: metrics.registry,
    relay,
    inbound,
    webhookStatus: webhook ? () => webhook.status() : undefined,
    smtpHost: connectableHost(options.host),
  });
  const http = createAdaptorServer({ fetch: app.fetch, hostname: options.host }) as Server;
  const closeWebsocket = attachMailpitWebsocket(http, {
    store,
    events,
    logger,
    authorize: (request) => {
      const verdict = access.authorizeUpgrade(request);
      return verdict.ok ? crossSite.checkUpgrade(request) : verdict;
    },
  });

  const stop = async () => {
    await Promise.all([...listeners.map((l) => l.stop()), pop3?.stop(), imap?.stop()]);
    closeWebsocket();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      // Long-polls and SSE streams would otherwise hold the close open.
      if ("closeAllConnections" in http) http.closeAllConnections();
    });
    // Closing the connections above already ended hanging provider requests (the client sees the
    // connection drop); this cancels pending webhook retries.
    providers.stop();
    await autoRelay?.stop();
    await responder.stop();
    inbound?.close();
    webhook?.stop();
    await ageRetention?.stop();
    relay?.close();
    await ingest.drain();
    await liveChecks?.stop();
    await pool?.close();
    await recorder.drain();
    await bridge?.stop();
    metrics.stop();
    await store.close();
  };

  try {
    const tls = await resolveTls({ cert: options.tlsCert, key: options.tlsKey }, logger);
    const smtpOptions = {
      host: options.host,
      tls,
      maxSize: options.maxSize,
      auth: options.smtpAuth,
      maxConnections: options.maxConnections,
      maxRecipients: options.maxRecipients,
      socketTimeout: options.smtpTimeout,
    };
    const smtp = createSmtpListener(
      { ingest: smtpIngest, logger, faults, recorder, inFlight, certificates },
      { ...smtpOptions, port: options.smtpPort, implicitTls: false },
    );
    listeners.push(smtp);
    ports.smtpPort = await smtp.start().catch((err: unknown) => {
      throw listenError(err, "smtp", options.host, options.smtpPort);
    });
    if (options.smtpsPort !== null) {
      const smtps = createSmtpListener(
        { ingest: smtpIngest, logger, faults, recorder, inFlight, certificates },
        { ...smtpOptions, port: options.smtpsPort, implicitTls: true },
      );
      listeners.push(smtps);
      ports.smtpsPort = await smtps.start().catch((err: unknown) => {
        throw listenError(err, "smtps", options.host, options.smtpsPort as number);
      });
    }
    if (options.pop3Port !== null) {
      pop3 = createPop3Listener(
        { store, events, logger },
        {
          host: options.host,
          port: options.pop3Port,
          tls,
          logins: options.mailAuth,
          mailboxBy: options.mailboxBy,
        },
      );
      ports.pop3Port = await pop3.start();
    }
    if (options.imapPort !== null) {
      imap = createImapListener(
        { store, events, logger },
        {
          host: options.host,
          port: options.imapPort,
          tls,
          logins: options.mailAuth,
          mailboxBy: options.mailboxBy,
        },
      );
      ports.imapPort = await imap.start().catch((err: unknown) => {
        throw listenError(err, "imap", options.host, options.imapPort as number);
      });
    }
    ports.httpPort = await new Promise<number>((resolve, reject) => {
      http.once("error", reject);
      http.listen(options.httpPort, options.host, () => {
        http.off("error", reject);
        resolve((http.address() as AddressInfo).port);
      });
    }).catch((err: unknown) => {
      throw listenError(err, "http", options.host, options.httpPort);
    });
  } catch (err) {
    await stop().catch((stopErr: unknown) =>
      logger.error({ err: stopErr }, "cleanup after a failed start failed"),
    );
    throw err;
  }

  // Analyses a crash cut off run again in the background; their messages are stored already.
  ingest
    .resume()
    .catch((err: unknown) => logger.error({ err }, "resuming pending analyses failed"));

  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const sandbox: SandboxWithApp = {
    smtpPort: ports.smtpPort,
    smtpsPort: ports.smtpsPort,
    pop3Port: ports.pop3Port,
    imapPort: ports.imapPort,
    httpPort: ports.httpPort,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${ports.httpPort}`,
    store,
    events,
    ingest,
    logger,
    stop,
    [HTTP_APP]: app,
  };
  return sandbox;
}

/** A wildcard bind address is not one to connect to: its loopback counterpart reaches the listener. */
function connectableHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  return host === "::" ? "::1" : host;
}

/** --link-check: live checks after each analysis, their results stored on it and announced again. */
function createLiveChecks(
  store: Store,
  events: EventBus,
  logger: Logger,
  options: SandboxOptions,
): LiveCheckQueue {
  const checker = createLinkChecker(
    { logger },
    { appUrl: options.appUrl, allowedLinkHosts: options.allowedLinkHosts },
  );
  return createLiveCheckQueue({
    checker,
    logger,
    async onChecked(id, results) {
      const message = await store.get(id);
      if (!message) return;
      const analysis = withLiveResults(message.analysis, results);
      const summary = await store.setAnalysis(id, analysis);
      if (summary) events.emit("message.analyzed", { id, summary, analysis });
    },
  });
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
