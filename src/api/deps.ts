import type { Hono } from "hono";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { AccessControl } from "./auth.js";
import type { CrossSiteGuard } from "./cross-site.js";
import type { DnsZone } from "../analysis/dns/zone.js";
import type { FaultRulesAccess } from "./compat/mailpit/chaos.js";
import type { EventBus } from "../core/events.js";
import type { FaultEngine } from "../faults/index.js";
import type { Ingest } from "../ingest/ingest.js";
import type { Relay } from "../relay/relay.js";
import type { InboundTarget } from "../roundtrip/index.js";
import type { WebhookStatus } from "../webhooks/receive-webhook.js";
import type { BytesInFlight } from "../limits/bytes-in-flight.js";
import type { Store } from "../store/store.js";
import type { TranscriptRecorder } from "../transcripts/recorder.js";

/** What every route module gets from the composition root. */
export interface ApiDeps {
  store: Store;
  events: EventBus;
  ingest: Ingest;
  logger: Logger;
  maxSize: number;
  /** Message bytes being received at once, shared with SMTP; ingestion routes answer 503 beyond it. */
  inFlight: BytesInFlight;
  /** The run-time DNS zone analysis answers from; GET/PUT /api/dns read and replace it. */
  dnsZone: DnsZone;
  /** Provider mocks (`/sendgrid`, …) and `/api/providers` (src/providers/index.ts); mounted before the /api 404. */
  providers?: Hono;
  /** Whether spamd is configured (Mailpit compatibility reports it). */
  spamAssassin?: boolean;
  /** Read/replace the SMTP fault rules (Mailpit's chaos triggers map onto them). */
  faultRules?: FaultRulesAccess;
  /** The test CA's certificate (PEM) that signs the TLS faults' certificates: GET /api/tls/ca.pem. */
  testCa?: () => Promise<string>;
  /** SMTP fault rules: GET/PUT /api/faults. */
  faults?: FaultEngine;
  /** SMTP session transcripts: GET /api/sessions. */
  sessions?: TranscriptRecorder;
  /** App URL and allowed hosts for link checks (GET /api/messages/:id/links?check=1). @default none: nothing is fetched */
  links?: { appUrl: string | null; allowedLinkHosts: string[] };
  /** `--ui-auth` / `--api-token` (src/api/auth.ts). @default none: everything open, as on loopback */
  access?: AccessControl;
  /** Refuses changes and live reads from pages on other origins (src/api/cross-site.ts). */
  crossSite: CrossSiteGuard;
  /** `--cors`: the one origin given CORS headers. @default null: no CORS headers at all */
  cors?: string | null;
  /** `--relay`: releases stored messages. @default null: release answers 400 */
  relay?: Relay | null;
  /** `--inbound`: where replies built by POST /api/messages/:id/reply go. @default null: reply answers 400 */
  inbound?: InboundTarget | null;
  /** `--webhook` delivery counts, shown in /api/health. @default none */
  webhookStatus?: () => WebhookStatus;
  /** Prometheus registry served at /metrics. @default none: /metrics is not served */
  metrics?: Registry;
  /** Address our own SMTP listener is reached at, for `send_test_email` over `/mcp`. @default "127.0.0.1" */
  smtpHost?: string;
  /** Ports known once the listeners are up. */
  ports: () => { smtpPort: number | null; smtpsPort: number | null; httpPort: number | null };
}
