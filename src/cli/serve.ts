import { resolveServeOptions } from "../config/resolve.js";
import { createSandbox } from "../sandbox.js";

const HELP = `mailproof [serve] [options]   run the sandbox

  --host ADDR             bind address (default 127.0.0.1)
  --smtp-port N           SMTP with STARTTLS (default 1025; 0 = any free port)
  --smtps-port N          SMTP with implicit TLS (default off)
  --http-port N           web UI, REST API, provider mocks (default 8025)
  --db PATH               SQLite file (default: temporary, removed on exit)
  --max-messages N        keep only the newest N messages (default 0 = all)
  --max-size SIZE         largest message, e.g. 50MiB (default)
  --smtp-auth U:P[,U:P]   require these SMTP credentials (default: accept any)
  --tls-cert F --tls-key F   certificate for STARTTLS/SMTPS (default: self-signed)
  --max-connections N     SMTP connection limit, 421 beyond it (default 0 = none)
  --max-recipients N      recipients per SMTP transaction, 452 beyond (default 1000; 0 = none)
  --smtp-timeout MS       close SMTP connections idle this long (default 60000)
  --dns-zone FILE         DNS zone JSON for analysis (mailauth dns-cache format)
  --dns MODE              zone | system | zone,system
  --spf-ip IP             evaluate SPF as this IP instead of the connecting one
  --app-url URL           your app's public base URL; links are checked against it
  --allowed-link-hosts H  more hosts links may point at (comma-separated)
  --link-check            fetch allowed links live on arrival
  --spamd HOST:PORT       SpamAssassin scores through spamd
  --pop3-port N           POP3 with STLS (default off)
  --mail-auth U:P[,U:P]   logins POP3 accepts (default: any)
  --relay URL             smtp://[user:pass@]host:port or smtps://: where released mail goes
  --relay-allow GLOBS     recipients that may be released, e.g. *@example.com
  --relay-matching QUERY  relay matching messages on arrival (needs --relay-allow)
  --webhook URL           POST { event, message } for each message received
  --webhook-limit N       webhook deliveries per second (default 5; 0 = no limit)
  --max-age AGE           prune messages older than this: 7d, 12h, 30m
  --ui-auth U:P           basic auth for the UI, REST API and events
  --api-token TOKEN       bearer token for the UI, REST API and events
  --cors ORIGIN           allow this origin (default: no CORS)
  --fault RULE            SMTP fault rule, repeatable, e.g. "rcpt 550 to=*@bounce.test"
  --analysis-workers N    threads analysing messages, at the lowest CPU priority (default: one per extra core; 0 = main thread)
  --config FILE           JSON file with options, faults and provider state
  --log-level LEVEL       pino level (default info); logs go to stderr

Every option is also read from MAILPROOF_<NAME>, e.g. MAILPROOF_SMTP_PORT=2525.
`;

export async function serve(argv: string[]): Promise<number> {
  const { options, help } = resolveServeOptions(argv, process.env);
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const sandbox = await createSandbox(options);
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  process.stdout.write(`smtp listening on ${host}:${sandbox.smtpPort}\n`);
  if (sandbox.smtpsPort !== null) process.stdout.write(`smtps listening on ${host}:${sandbox.smtpsPort}\n`);
  if (sandbox.pop3Port !== null) process.stdout.write(`pop3 listening on ${host}:${sandbox.pop3Port}\n`);
  process.stdout.write(`http listening on http://${host}:${sandbox.httpPort}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      sandbox.logger.info({ signal }, "shutting down: finishing in-flight messages");
      sandbox.stop().then(
        () => resolve(0),
        (err: unknown) => {
          sandbox.logger.error({ err }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
}
