import type { Hono } from "hono";
import type { Logger } from "pino";
import { createDnsZone } from "./analysis/dns/index.js";
import { notifyingZone, type AnalysisPool } from "./analysis/workers/pool.js";
import { withDefaults, type SandboxOptions } from "./config/options.js";
import type { EventBus } from "./core/events.js";
import { createLogger } from "./core/logger.js";
import type { Ingest } from "./ingest/ingest.js";
import { createTestCertificateSource } from "./smtp/test-certificates.js";
import { startAnalysis } from "./start/analysis.js";
import { checkOptions } from "./start/checked-options.js";
import { createHttpServer } from "./start/http.js";
import { createListeners, noPorts, type StartedPorts } from "./start/listeners.js";
import { createPipeline } from "./start/pipeline.js";
import { startServices } from "./start/services.js";
import { openStoreAndEvents } from "./start/store-events.js";
import type { Store } from "./store/store.js";

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
  // Checked before the store opens, so a bad option fails without leaving it open.
  const checked = checkOptions(options);
  const storage = await openStoreAndEvents(options, logger);
  const { store, events, bridge } = storage;
  const analysis = await startAnalysis(options, dnsZone, logger);
  pool = analysis.pool;
  const { analyze, workerCount } = analysis;
  const pipeline = createPipeline(
    { store, events, logger, analyze, workerCount, tagRules: checked.tagRules },
    options,
  );
  const { ingest, metrics, recorder, liveChecks, inFlight } = pipeline;
  const ports = noPorts();
  const services = startServices(
    { store, events, ingest, logger, metrics, inFlight, httpPort: () => ports.httpPort },
    checked,
    options,
  );
  const { faults } = checked;
  const certificates = createTestCertificateSource();
  const http = createHttpServer(
    { storage, pipeline, services, logger, dnsZone, faults, certificates, ports },
    options,
  );
  const listeners = createListeners(
    {
      smtp: { ingest: services.smtpIngest, logger, faults, recorder, inFlight, certificates },
      mailboxes: { store, events, logger },
      http,
    },
    options,
    ports,
  );

  // Outside in: nothing new arrives, then what is under way finishes, then the store closes.
  const stop = async () => {
    await listeners.stop();
    await services.stop();
    await ingest.drain();
    await liveChecks?.stop();
    await pool?.close();
    await recorder.drain();
    await bridge?.stop();
    metrics.stop();
    await store.close();
  };

  let started: StartedPorts;
  try {
    started = await listeners.start();
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
    ...started,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${started.httpPort}`,
    store,
    events,
    ingest,
    logger,
    stop,
    [HTTP_APP]: http.app,
  };
  return sandbox;
}
