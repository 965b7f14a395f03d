import { parseFaultFlag } from "../faults/compact.js";
import { MAILBOX_MODES, type MailboxBy } from "../mailboxes/assign.js";
import { analysisOption, option } from "./option.js";
import {
  absoluteUrl,
  bool,
  count,
  credentialList,
  credentials,
  dnsModes,
  duration,
  ipAddress,
  jsonArray,
  jsonObject,
  jsonObjectOrFile,
  list,
  oneOf,
  orNone,
  orOff,
  pemFile,
  port,
  size,
  text,
  type Credentials,
} from "./parsers.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const LOG_FORMATS = ["auto", "json", "pretty"] as const;

/**
 * Every `serve` option, declared once. The key is the config-file key and `createSandbox()`'s
 * option; the flag is its kebab-case form (`--smtp-port`) and the environment variable
 * `MAILPROOF_` + the flag in capitals (`MAILPROOF_SMTP_PORT`). Flag parsing, environment and
 * config-file reading, `--help` and docs/configuration.md all derive from this table.
 */
export const OPTIONS = {
  host: option({
    group: "Listeners",
    arg: "ADDR",
    default: "127.0.0.1",
    parse: text,
    help: "address SMTP and HTTP bind to (0.0.0.0 in the container image)",
  }),
  smtpPort: option({
    group: "Listeners",
    arg: "N",
    default: 1025,
    parse: port,
    help: "SMTP with STARTTLS offered; 0 picks a free port",
  }),
  smtpsPort: option<number | null>({
    group: "Listeners",
    arg: "N",
    default: null,
    defaultText: "off",
    parse: orOff(port),
    help: "SMTP with implicit TLS",
  }),
  httpPort: option({
    group: "Listeners",
    arg: "N",
    default: 8025,
    parse: port,
    help: "web UI, REST API and provider mocks; 0 picks a free port",
  }),

  // A postgres:// URL may hold a password.
  db: option<string | null>({
    group: "Storage and retention",
    arg: "PATH",
    default: null,
    defaultText: "temporary file, removed on exit",
    parse: orNone(text),
    secret: true,
    help: "SQLite file path, or a postgres:// URL",
  }),
  maxMessages: option({
    group: "Storage and retention",
    arg: "N",
    default: 0,
    defaultText: "0 (no limit)",
    parse: count,
    help: "keep only the newest N messages",
  }),
  maxAge: option<number | null>({
    group: "Storage and retention",
    arg: "AGE",
    default: null,
    defaultText: "off",
    parse: orOff(duration),
    help: "prune messages older than this in the background: 7d, 12h, 30m",
  }),
  mailboxBy: option<MailboxBy>({
    group: "Storage and retention",
    arg: "MODE",
    default: "none",
    parse: oneOf(MAILBOX_MODES),
    help: "file messages in mailboxes: none, auth (SMTP AUTH user or provider API key) or domain (first recipient's domain)",
  }),
  tagRules: option<unknown[]>({
    group: "Storage and retention",
    flag: null,
    default: [],
    defaultText: "none",
    parse: jsonArray,
    help: 'tags given at capture to matching messages: [{ "query": "from:billing@…", "tags": ["billing"] }]',
  }),

  maxSize: option({
    group: "SMTP",
    arg: "SIZE",
    default: 50 * 1024 * 1024,
    defaultText: "50MiB",
    parse: size,
    help: "largest message accepted (SIZE advertised, 552 beyond), e.g. 10MB",
  }),
  smtpAuth: option<Credentials[] | null>({
    group: "SMTP",
    arg: "U:P[,U:P]",
    default: null,
    defaultText: "accept any",
    parse: orNone(credentialList),
    secret: true,
    help: "require these SMTP credentials (535 otherwise)",
  }),
  maxConnections: option({
    group: "SMTP",
    arg: "N",
    default: 0,
    defaultText: "0 (no limit)",
    parse: count,
    help: "simultaneous SMTP connections; 421 beyond",
  }),
  // RFC 5321 §4.5.3.1.8 wants at least 100; more than 1000 in one transaction is a runaway loop.
  maxRecipients: option({
    group: "SMTP",
    arg: "N",
    default: 1000,
    parse: count,
    help: "recipients per SMTP transaction, 452 beyond (0 = no limit)",
  }),
  smtpTimeout: option({
    group: "SMTP",
    arg: "MS",
    default: 60_000,
    parse: count,
    help: "close SMTP connections idle this long, in ms",
  }),

  tlsCert: option<string | null>({
    group: "TLS",
    arg: "FILE",
    default: null,
    defaultText: "self-signed, generated",
    parse: orNone(pemFile),
    help: "PEM certificate for STARTTLS and implicit TLS (with --tls-key)",
  }),
  tlsKey: option<string | null>({
    group: "TLS",
    arg: "FILE",
    default: null,
    defaultText: "self-signed, generated",
    parse: orNone(pemFile),
    secret: true,
    help: "PEM private key of --tls-cert",
  }),

  dnsZone: option<Record<string, unknown> | null>({
    group: "Analysis",
    arg: "FILE",
    default: null,
    defaultText: "none",
    parse: orNone(jsonObjectOrFile),
    help: "JSON zone answering DNS for analysis (mailauth's dns-cache format)",
  }),
  dns: analysisOption<Array<"zone" | "system"> | null>({
    group: "Analysis",
    arg: "MODE",
    default: null,
    defaultText: "zone with a zone, else system",
    parse: orNone(dnsModes),
    help: "zone, system, or zone,system (zone first)",
  }),
  spfIp: analysisOption<string | null>({
    group: "Analysis",
    arg: "IP",
    default: null,
    defaultText: "the connecting IP",
    parse: orNone(ipAddress),
    help: "evaluate SPF as this IP, e.g. your provider's outbound IP",
  }),
  appUrl: analysisOption<string | null>({
    group: "Analysis",
    arg: "URL",
    default: null,
    defaultText: "none",
    parse: orNone(absoluteUrl),
    help: "your app's public base URL; links are checked against it",
  }),
  allowedLinkHosts: analysisOption<string[]>({
    group: "Analysis",
    arg: "H[,H]",
    default: [],
    defaultText: "none",
    parse: list((h) => h.toLowerCase()),
    help: "more hosts links may point at",
  }),
  linkCheck: analysisOption({
    group: "Analysis",
    default: false,
    parse: bool,
    help: "fetch allowed links live on arrival",
  }),
  spamd: analysisOption<string | null>({
    group: "Analysis",
    arg: "HOST:PORT",
    default: null,
    defaultText: "off",
    parse: orNone(text),
    help: "SpamAssassin scores through spamd",
  }),
  analysisWorkers: option<number | null>({
    group: "Analysis",
    arg: "N",
    default: null,
    defaultText: "one per extra core",
    parse: orNone(count),
    help: "threads analysing messages at the lowest CPU priority; 0 = main thread",
  }),

  uiAuth: option<Credentials | null>({
    group: "HTTP access",
    arg: "U:P",
    default: null,
    defaultText: "open",
    parse: orNone(credentials),
    secret: true,
    help: "basic auth for the UI, REST API and events",
  }),
  apiToken: option<string | null>({
    group: "HTTP access",
    arg: "TOKEN",
    default: null,
    defaultText: "open",
    parse: orNone(text),
    secret: true,
    help: "bearer token for the UI, REST API and events",
  }),
  cors: option<string | null>({
    group: "HTTP access",
    arg: "ORIGIN",
    default: null,
    defaultText: "no CORS",
    parse: orNone(text),
    help: "allow this origin",
  }),

  pop3Port: option<number | null>({
    group: "POP3 and IMAP",
    arg: "N",
    default: null,
    defaultText: "off",
    parse: orOff(port),
    help: "POP3 with STLS; UIDL is the message id; 0 picks a free port",
  }),
  imapPort: option<number | null>({
    group: "POP3 and IMAP",
    arg: "N",
    default: null,
    defaultText: "off",
    parse: orOff(port),
    help: "IMAP4rev1 with STARTTLS and IDLE; \\Seen is the read state; 0 picks a free port",
  }),
  mailAuth: option<Credentials[] | null>({
    group: "POP3 and IMAP",
    arg: "U:P[,U:P]",
    default: null,
    defaultText: "accept any",
    parse: orNone(credentialList),
    secret: true,
    help: "the logins POP3 and IMAP accept",
  }),

  // The URL may hold the relay's password.
  relay: option<string | null>({
    group: "Relay and webhooks",
    arg: "URL",
    default: null,
    defaultText: "off",
    parse: orNone(text),
    secret: true,
    help: "smtp://[user:pass@]host:port (or smtps://): where released mail goes",
  }),
  relayAllow: option<string[]>({
    group: "Relay and webhooks",
    arg: "GLOB[,GLOB]",
    default: [],
    defaultText: "any, for a release by hand",
    parse: list(),
    help: "recipients that may be released or relayed, e.g. *@example.com",
  }),
  relayMatching: option<string | null>({
    group: "Relay and webhooks",
    arg: "QUERY",
    default: null,
    defaultText: "off",
    parse: orNone(text),
    help: "relay messages matching this search on arrival (needs --relay-allow)",
  }),
  // The URL may carry a token.
  webhook: option<string | null>({
    group: "Relay and webhooks",
    arg: "URL",
    default: null,
    defaultText: "off",
    parse: orNone(absoluteUrl),
    secret: true,
    help: 'POST { event: "message.received", message } for each message',
  }),
  webhookLimit: option({
    group: "Relay and webhooks",
    arg: "N",
    default: 5,
    parse: count,
    help: "webhook deliveries per second (0 = no limit)",
  }),

  // The URL may carry credentials or a token.
  inbound: option<string | null>({
    group: "Round trips",
    arg: "URL",
    default: null,
    defaultText: "off",
    parse: orNone(text),
    secret: true,
    help: "where simulated bounces, complaints, auto-replies and replies go: smtp://host:port, or sendgrid-parse+, postmark+, mailgun+ or ses-sns+http://…",
  }),
  bounces: option<unknown[]>({
    group: "Round trips",
    flag: null,
    default: [],
    defaultText: "none",
    parse: jsonArray,
    help: 'answer mail to matching recipients: [{ "match": { "to": "*@bounce.test" }, "type": "hard" | "soft" | "complaint" | "auto-reply", "delayMs": 0 }]',
  }),

  faults: option<unknown[]>({
    group: "Faults and providers",
    flag: "fault",
    arg: "RULE",
    repeatable: true,
    default: [],
    defaultText: "none",
    // A flag holds compact rules (several separated by ";"); the file holds rule objects. Both are checked at start.
    parse: (raw): unknown[] =>
      typeof raw === "string" ? parseFaultFlag(raw) : Array.isArray(raw) ? raw : failRules(raw),
    help: 'SMTP fault rule, e.g. "rcpt 550 to=*@bounce.test" (in the variable, several separated by ";"; in the file, rule objects)',
  }),
  providers: option<Record<string, unknown>>({
    group: "Faults and providers",
    flag: null,
    default: {},
    defaultText: "{}",
    parse: jsonObject,
    help: "provider mock state per provider name (apiKeys, verifiedSenders, …)",
  }),

  logLevel: analysisOption<(typeof LOG_LEVELS)[number]>({
    group: "Logging",
    arg: "LEVEL",
    default: "info",
    parse: oneOf(LOG_LEVELS),
    help: "pino level; logs go to stderr, listening lines to stdout",
  }),
  logFormat: analysisOption<(typeof LOG_FORMATS)[number]>({
    group: "Logging",
    arg: "FORMAT",
    default: "auto",
    defaultText: "auto: pretty on a terminal, else json",
    parse: oneOf(LOG_FORMATS),
    help: "json (one object per line) or pretty (one readable line)",
  }),
};

/** Flags of the `serve` command itself rather than of the sandbox. */
export const META_FLAGS = {
  config: {
    arg: "FILE",
    help: "JSON file with any option above in camelCase, plus faults and providers",
  },
  help: { arg: undefined, help: "print these options" },
} as const;

function failRules(raw: unknown): never {
  throw new Error(`must be a list of fault rules, not ${JSON.stringify(raw)}`);
}

export type OptionTable = typeof OPTIONS;
export type OptionKey = keyof OptionTable;
