import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compatRoutes } from "./compat/index.js";
import { mcpRoutes } from "../mcp/http.js";
import { corsFor } from "./cors.js";
import { PROVIDER_PREFIXES } from "./cross-site.js";
import type { ApiDeps } from "./deps.js";
import { requireBodyType } from "./body-type.js";
import { createErrorHandler, errorBody } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import { dnsRoutes } from "./routes/dns.js";
import { eventRoutes } from "./routes/events.js";
import { faultRoutes } from "./routes/faults.js";
import { linkRoutes } from "./routes/links.js";
import { messageRoutes } from "./routes/messages.js";
import { operationsRoutes } from "./routes/operations.js";
import { roundTripRoutes } from "./routes/round-trips.js";
import { releaseRoutes } from "./routes/release.js";
import { transcriptRoutes } from "./routes/transcripts.js";
import { waitRoutes } from "./routes/wait.js";
import { securityHeaders } from "./security-headers.js";
import { createUiHandler } from "./ui.js";
import { ingestionBody } from "./ingestion-body.js";
import { requestBodyLimit } from "../limits/receive-body.js";
import { createWaiters } from "./waiters.js";

/** The HTTP application: native REST API under /api. Provider mocks and the UI mount beside it. */
export function createApiApp(deps: ApiDeps): Hono {
  const app = new Hono();
  const waiters = createWaiters(deps);
  app.onError(createErrorHandler(deps.logger));
  // Order matters: headers go on every answer (401s too); CORS preflights carry no credentials.
  app.use("*", securityHeaders({ skip: PROVIDER_PREFIXES }));
  if (deps.cors) app.use("*", corsFor(deps.cors));
  // In every mode, credentials or not: a page on another origin may neither change anything nor
  // read live mail.
  app.use("*", deps.crossSite.middleware);
  if (deps.access) {
    app.use("*", deps.access.middleware);
    app.route("/api/auth", deps.access.routes);
  }
  // Uploads and JSON bodies must say so in Content-Type, which no HTML form can.
  app.use("/api/*", requireBodyType());
  // The routes that take a message count its bytes against --max-size and the bytes-in-flight
  // budget while they arrive, before the general limit below buffers anything.
  app.post("/api/messages", ingestionBody(deps, deps.maxSize));
  app.post("/api/v1/send", ingestionBody(deps, requestBodyLimit(deps.maxSize)));
  // Every other /api body is bounded while it arrives too.
  const apiBodyLimit = requestBodyLimit(deps.maxSize);
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: apiBodyLimit,
      onError: (c) =>
        c.json(errorBody("PAYLOAD_TOO_LARGE", `request body exceeds ${apiBodyLimit} bytes`), 413),
    }),
  );

  app.route("/api/messages", messageRoutes(deps));
  app.route("/api/messages", linkRoutes(deps));
  app.route("/api/messages", releaseRoutes({ store: deps.store, relay: deps.relay ?? null }));
  app.route("/api/messages", roundTripRoutes(deps));
  app.get("/api/relay", (c) =>
    c.json(
      deps.relay
        ? { enabled: true, target: deps.relay.target, allow: deps.relay.allow }
        : { enabled: false, target: null, allow: [] },
    ),
  );
  app.route("/api/wait", waitRoutes(deps, waiters));
  app.route("/api/events", eventRoutes(deps));
  app.get("/api/mailboxes", async (c) => c.json(await deps.store.mailboxes()));
  app.route("/api/dns", dnsRoutes(deps));
  if (deps.faults)
    app.route("/api/faults", faultRoutes({ logger: deps.logger, faults: deps.faults }));
  const testCa = deps.testCa;
  if (testCa)
    app.get("/api/tls/ca.pem", async (c) =>
      c.body(await testCa(), 200, { "content-type": "application/x-pem-file" }),
    );
  if (deps.sessions)
    app.route("/api/sessions", transcriptRoutes({ logger: deps.logger, sessions: deps.sessions }));
  app.get("/api/health", async (c) => {
    const { smtpPort, httpPort } = deps.ports();
    return c.json({
      status: "ok",
      messages: await deps.store.count(),
      analysisBacklog: deps.ingest.backlog(),
      smtpPort,
      httpPort,
      webhook: deps.webhookStatus?.() ?? null,
    });
  });
  app.get("/api/openapi.json", (c) => c.json(openApiDocument));
  if (deps.metrics)
    app.route(
      "/",
      operationsRoutes({ store: deps.store, metrics: deps.metrics, ports: deps.ports }),
    );
  if (deps.providers) app.route("/", deps.providers);
  app.route(
    "/",
    compatRoutes(deps, {
      spamAssassin: deps.spamAssassin ?? false,
      faults: deps.faultRules ?? null,
    }),
  );
  // The MCP tools call the routes above in-process, through the same access control.
  app.route(
    "/mcp",
    mcpRoutes({
      logger: deps.logger,
      fetch: (request) => app.fetch(request),
      smtpHost: deps.smtpHost ?? "127.0.0.1",
      cors: deps.cors,
    }),
  );
  app.all("/api/*", (c) =>
    c.json(errorBody("NOT_FOUND", `no route ${c.req.method} ${c.req.path}`), 404),
  );
  // Last: the web UI answers every other GET (it passes on /api and the provider prefixes).
  app.get("*", createUiHandler({ logger: deps.logger }));
  return app;
}
