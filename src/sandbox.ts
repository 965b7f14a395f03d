import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { createAdaptorServer } from "@hono/node-server";
import type { Logger } from "pino";
import { createDnsZone } from "./analysis/dns/index.js";
import { parseSpamdAddress } from "./analysis/spam/spamc.js";
import { analysisWorkersAvailable, createAnalysisPool, notifyingZone, type AnalysisPool } from "./analysis/workers/pool.js";
import { createApiApp } from "./api/app.js";
import { createAccessControl } from "./api/auth.js";
import { attachMailpitWebsocket } from "./compat/mailpit/websocket.js";
import { withDefaults, type SandboxOptions } from "./config/options.js";
import { createEventBus, type EventBus } from "./core/events.js";
import { createIdGenerator } from "./core/ids.js";
import { createLogger } from "./core/logger.js";
import { createConfiguredFaultEngine } from "./faults/index.js";
import { createIngest, type Ingest } from "./ingest/ingest.js";
import { bytesInFlightLimit, createBytesInFlight } from "./limits/bytes-in-flight.js";
import { requestBodyLimit } from "./limits/receive-body.js";
import { createProviders, createStateRegistry } from "./providers/index.js";
import { createSmtpListener, type SmtpListener } from "./smtp/smtp-listener.js";
import { resolveTls } from "./smtp/tls.js";
import { isPostgresUrl, openStore } from "./store/open-store.js";
import { createNotifyBridge } from "./store/postgres/notify-bridge.js";
import type { Store } from "./store/store.js";
import { createTranscriptRecorder } from "./transcripts/recorder.js";

export interface Sandbox {
  smtpPort: number;
  smtpsPort: number | null;
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

export type CreateSandboxOptions = Partial<SandboxOptions> & { logger?: Logger };

/** The composition root: options → store, events, ingest, SMTP, HTTP. Returns once listening. */
export async function createSandbox(input: CreateSandboxOptions = {}): Promise<Sandbox> {
  const { logger: givenLogger, ...rest } = input;
  const options = withDefaults(rest);
  const logger = givenLogger ?? createLogger(options.logLevel);
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
  const store = await openStore(options.db, logger);
  // Instances sharing one PostgreSQL database see each other's events through LISTEN/NOTIFY.
  const bridge = isPostgresUrl(options.db)
    ? await createNotifyBridge({ connectionString: options.db, events: createEventBus(), store, logger }).catch(async (err: unknown) => {
        await store.close();
        throw err;
      })
    : null;
  const events = bridge?.events ?? createEventBus();
  const workerCount = options.analysisWorkers ?? (analysisWorkersAvailable() ? Math.max(1, availableParallelism() - 1) : 0);
  pool = workerCount > 0 ? createAnalysisPool(options, dnsZone, logger, { size: workerCount }) : null;
  // With workers the main thread never loads the analysers (mailauth and the rest: ~10 MB of heap).
  const analyze = pool?.analyze ?? (await import("./analysis/index.js")).createAnalysisPipeline(options, logger, dnsZone);
  const ingest = createIngest({
    store,
    events,
    logger,
    analyze,
    newId: createIdGenerator(),
    maxMessages: options.maxMessages,
    maxSize: options.maxSize,
    // A few queued per worker keep it busy; more would only hold messages in memory twice (here
    // and in the worker's queue) while a burst lasts.
    maxAnalysesInFlight: ANALYSES_QUEUED_PER_WORKER * Math.max(1, workerCount),
  });
  // SMTP session transcripts, kept with the messages' retention.
  const recorder = createTranscriptRecorder({ store, logger, newId: createIdGenerator() }, { maxSessions: options.maxMessages });

  // One budget for every SMTP connection and HTTP ingestion path (docs/limits.md).
  const inFlight = createBytesInFlight(bytesInFlightLimit(options.maxSize, requestBodyLimit(options.maxSize)));

  const listeners: SmtpListener[] = [];
  const ports = { smtpPort: null as number | null, smtpsPort: null as number | null, httpPort: null as number | null };
  const providers = createProviders({ ingest, logger, states: providerStates, maxSize: options.maxSize, inFlight });
  // --ui-auth / --api-token guard the UI, REST, SSE, compat routes and the Mailpit websocket alike.
  const access = createAccessControl({ logger, httpPort: () => ports.httpPort }, { uiAuth: options.uiAuth, apiToken: options.apiToken, cors: options.cors, host: options.host });
  const app = createApiApp({ store, events, ingest, logger, maxSize: options.maxSize, inFlight, dnsZone, providers: providers.app, spamAssassin: options.spamd !== null, links: { appUrl: options.appUrl, allowedLinkHosts: options.allowedLinkHosts }, ports: () => ports, faults, sessions: recorder, faultRules: { get: () => faults.rules(), set: (rules) => faults.replace(rules) }, access, cors: options.cors });
  const http = createAdaptorServer({ fetch: app.fetch, hostname: options.host }) as Server;
  const closeWebsocket = attachMailpitWebsocket(http, { store, events, logger, authorize: access.authorizeUpgrade });

  const stop = async () => {
    await Promise.all(listeners.map((l) => l.stop()));
    closeWebsocket();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      // Long-polls and SSE streams would otherwise hold the close open.
      if ("closeAllConnections" in http) http.closeAllConnections();
    });
    // Closing the connections above already ended hanging provider requests (the client sees the
    // connection drop); this cancels pending webhook retries.
    providers.stop();
    await ingest.drain();
    await pool?.close();
    await recorder.drain();
    await bridge?.stop();
    await store.close();
  };

  try {
    const tls = await resolveTls({ cert: options.tlsCert, key: options.tlsKey }, logger);
    const smtpOptions = { host: options.host, tls, maxSize: options.maxSize, auth: options.smtpAuth, maxConnections: options.maxConnections, maxRecipients: options.maxRecipients, socketTimeout: options.smtpTimeout };
    const smtp = createSmtpListener({ ingest, logger, faults, recorder, inFlight }, { ...smtpOptions, port: options.smtpPort, implicitTls: false });
    listeners.push(smtp);
    ports.smtpPort = await smtp.start();
    if (options.smtpsPort !== null) {
      const smtps = createSmtpListener({ ingest, logger, faults, recorder, inFlight }, { ...smtpOptions, port: options.smtpsPort, implicitTls: true });
      listeners.push(smtps);
      ports.smtpsPort = await smtps.start();
    }
    ports.httpPort = await new Promise<number>((resolve, reject) => {
      http.once("error", reject);
      http.listen(options.httpPort, options.host, () => {
        http.off("error", reject);
        resolve((http.address() as AddressInfo).port);
      });
    });
  } catch (err) {
    await stop().catch((stopErr: unknown) => logger.error({ err: stopErr }, "cleanup after a failed start failed"));
    throw err;
  }

  // Analyses a crash cut off run again in the background; their messages are stored already.
  ingest.resume().catch((err: unknown) => logger.error({ err }, "resuming pending analyses failed"));

  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    smtpPort: ports.smtpPort,
    smtpsPort: ports.smtpsPort,
    httpPort: ports.httpPort,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${ports.httpPort}`,
    store,
    events,
    ingest,
    logger,
    stop,
  };
}
