/**
 * Sandbox options with their defaults. The CLI resolves flags ← MAILPROOF_* env ← config file
 * into these (see resolve.ts); `createSandbox()` takes them directly.
 */

export interface Credentials {
  user: string;
  pass: string;
}

export interface SandboxOptions {
  /** Address SMTP and HTTP bind to. @default "127.0.0.1" */
  host: string;
  /** SMTP port with STARTTLS offered; 0 picks a free port. @default 1025 */
  smtpPort: number;
  /** SMTP port with implicit TLS; null leaves it off. @default null */
  smtpsPort: number | null;
  /** Web UI, REST API and provider mocks; 0 picks a free port. @default 8025 */
  httpPort: number;
  /** SQLite file path or `postgres://` URL; null is a temporary file removed on stop. @default null */
  db: string | null;
  /** Retention: oldest messages beyond this are pruned; 0 keeps everything. @default 0 */
  maxMessages: number;
  /** Largest message accepted, in bytes (SIZE advertised, 552 beyond). @default 52428800 */
  maxSize: number;
  /** Required SMTP credentials; null accepts any (and no) credentials. @default null */
  smtpAuth: Credentials[] | null;
  /** PEM certificate and key (contents, not paths); null generates a self-signed pair. @default null */
  tlsCert: string | null;
  tlsKey: string | null;
  /** Most simultaneous SMTP connections; beyond it new ones get 421. 0 = no limit. @default 0 */
  maxConnections: number;
  /** Most recipients per SMTP transaction; beyond it RCPT gets 452 4.5.3. 0 = no limit. @default 1000 */
  maxRecipients: number;
  /** An SMTP connection silent this long (ms) is closed with 421. @default 60000 */
  smtpTimeout: number;
  /** DNS zone (mailauth dns-cache format) answering lookups for analysis. @default null */
  dnsZone: Record<string, unknown> | null;
  /** Where analysis DNS answers come from. @default "zone" with a zone, else "system" */
  dns: Array<"zone" | "system"> | null;
  /** The IP SPF is evaluated as; null uses the connecting IP. @default null */
  spfIp: string | null;
  /** The app's public base URL; links are checked against it. @default null */
  appUrl: string | null;
  /** Hosts links may point at besides the app URL's host. @default [] */
  allowedLinkHosts: string[];
  /** Fetch allowed links live on arrival. @default false */
  linkCheck: boolean;
  /** Config file only: `[{ query, tags }]`, tags given at capture to messages matching the search query. @default [] */
  tagRules: unknown[];
  /** `smtp://[user:pass@]host:port` or `smtps://…`: where released mail goes. @default null: no relay */
  relay: string | null;
  /** Recipient globs that may be released or relayed; empty allows any for a release by hand. @default [] */
  relayAllow: string[];
  /** Search query: matching messages are relayed on arrival (needs relayAllow). @default null */
  relayMatching: string | null;
  /** Retention by age in ms (`--max-age 7d`); older messages are pruned in the background. @default null: kept */
  maxAge: number | null;
  /** URL POSTed `{ event: "message.received", message: summary }` for each message. @default null */
  webhook: string | null;
  /** Webhook deliveries per second; 0 is no limit (Mailpit's --webhook-limit). @default 5 */
  webhookLimit: number;
  /** POP3 port (`0` picks a free one). @default null: off */
  pop3Port: number | null;
  /** Logins POP3 (and IMAP) accept; null accepts any. @default null */
  mailAuth: Credentials[] | null;
  /** spamd address `host:port` for SpamAssassin scores. @default null */
  spamd: string | null;
  /** SMTP fault rules (see faults). @default [] */
  faults: unknown[];
  /** Provider mock state per provider name. @default {} */
  providers: Record<string, unknown>;
  /** Basic auth for UI, REST and SSE. @default null */
  uiAuth: Credentials | null;
  /** Bearer token for UI, REST and SSE. @default null */
  apiToken: string | null;
  /** Origin allowed by CORS; null sends no CORS headers. @default null */
  cors: string | null;
  /**
   * Worker threads that analyse messages; null picks one per core beyond the first (at least
   * one) when running from the build, 0 analyses on the main thread. @default null
   */
  analysisWorkers: number | null;
  /** pino level. @default "info" */
  logLevel: string;
}

export const MiB = 1024 * 1024;

export const defaultOptions: Readonly<SandboxOptions> = Object.freeze({
  host: "127.0.0.1",
  smtpPort: 1025,
  smtpsPort: null,
  httpPort: 8025,
  db: null,
  maxMessages: 0,
  maxSize: 50 * MiB,
  smtpAuth: null,
  tlsCert: null,
  tlsKey: null,
  maxConnections: 0,
  // RFC 5321 §4.5.3.1.8 wants at least 100; more than 1000 in one transaction is a runaway loop.
  maxRecipients: 1000,
  smtpTimeout: 60_000,
  dnsZone: null,
  dns: null,
  spfIp: null,
  appUrl: null,
  allowedLinkHosts: [],
  linkCheck: false,
  tagRules: [],
  relay: null,
  relayAllow: [],
  relayMatching: null,
  maxAge: null,
  webhook: null,
  webhookLimit: 5,
  pop3Port: null,
  mailAuth: null,
  spamd: null,
  faults: [],
  providers: {},
  uiAuth: null,
  apiToken: null,
  cors: null,
  analysisWorkers: null,
  logLevel: "info",
});

export function withDefaults(options: Partial<SandboxOptions> = {}): SandboxOptions {
  const merged = { ...defaultOptions, ...stripUndefined(options) };
  return Object.freeze(merged) as SandboxOptions;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
