import type { Hono } from "hono";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Logger } from "pino";
import type { DnsZone } from "../analysis/dns/index.js";
import { createApiApp } from "../api/app.js";
import { createAccessControl } from "../api/auth.js";
import { attachMailpitWebsocket } from "../api/compat/mailpit/websocket.js";
import { createCrossSiteGuard } from "../api/cross-site.js";
import type { SandboxOptions } from "../config/options.js";
import type { FaultEngine } from "../faults/index.js";
import type { TestCertificateSource } from "../smtp/test-certificates.js";
import { listenError } from "./errors.js";
import { connectableHost } from "./hosts.js";
import type { ListenerPorts } from "./listeners.js";
import type { Pipeline } from "./pipeline.js";
import type { Services } from "./services.js";
import type { StoreAndEvents } from "./store-events.js";

export interface HttpDeps {
  storage: StoreAndEvents;
  pipeline: Pipeline;
  services: Services;
  logger: Logger;
  dnsZone: DnsZone;
  faults: FaultEngine;
  certificates: TestCertificateSource;
  /** Filled in as the listeners start; the API reports them. */
  ports: ListenerPorts;
}

/** The HTTP listener: web UI, REST API, provider mocks, compatibility APIs, the Mailpit websocket. */
export interface HttpServer {
  /** The app behind the listener, for requests in process (tests). */
  app: Hono;
  /** Resolves with the port once listening. */
  listen(): Promise<number>;
  /** Closes the websocket and every connection, then the server. */
  close(): Promise<void>;
}

export function createHttpServer(deps: HttpDeps, options: SandboxOptions): HttpServer {
  const { store, events } = deps.storage;
  const { ingest, inFlight, recorder, metrics } = deps.pipeline;
  const { providers, relay, inbound, webhook } = deps.services;
  const { logger, faults, certificates, ports } = deps;
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
    dnsZone: deps.dnsZone,
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

  return {
    app,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        http.once("error", reject);
        http.listen(options.httpPort, options.host, () => {
          http.off("error", reject);
          resolve((http.address() as AddressInfo).port);
        });
      }).catch((err: unknown) => {
        throw listenError(err, "http", options.host, options.httpPort);
      }),
    async close() {
      closeWebsocket();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        // Long-polls and SSE streams would otherwise hold the close open.
        if ("closeAllConnections" in http) http.closeAllConnections();
      });
    },
  };
}
