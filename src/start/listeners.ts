import type { Logger } from "pino";
import type { SandboxOptions } from "../config/options.js";
import type { EventBus } from "../core/events.js";
import { createImapListener } from "../imap/imap-listener.js";
import { createPop3Listener } from "../pop3/pop3-listener.js";
import {
  createSmtpListener,
  type SmtpListener,
  type SmtpListenerDeps,
} from "../smtp/smtp-listener.js";
import { resolveTls, type TlsMaterial } from "../smtp/tls.js";
import { listenError } from "./errors.js";
import type { Store } from "../store/store.js";
import type { HttpServer } from "./http.js";

/** Each listener's port once it listens; null while it does not (or never will: it is off). */
export interface ListenerPorts {
  smtpPort: number | null;
  smtpsPort: number | null;
  pop3Port: number | null;
  imapPort: number | null;
  httpPort: number | null;
}

/** The ports once every listener is up: SMTP and HTTP always listen. */
export type StartedPorts = ListenerPorts & { smtpPort: number; httpPort: number };

export function noPorts(): ListenerPorts {
  return { smtpPort: null, smtpsPort: null, pop3Port: null, imapPort: null, httpPort: null };
}

export interface ListenersDeps {
  smtp: SmtpListenerDeps;
  /** What POP3 and IMAP read. */
  mailboxes: { store: Store; events: EventBus; logger: Logger };
  http: HttpServer;
}

export interface Listeners {
  /** SMTP, SMTPS, POP3, IMAP, then HTTP, filling in `ports`; throws the first that cannot listen. */
  start(): Promise<StartedPorts>;
  /** Stops those started (or being started), HTTP last. */
  stop(): Promise<void>;
}

export function createListeners(
  deps: ListenersDeps,
  options: SandboxOptions,
  ports: ListenerPorts,
): Listeners {
  const smtpListeners: SmtpListener[] = [];
  let pop3: ReturnType<typeof createPop3Listener> | null = null;
  let imap: ReturnType<typeof createImapListener> | null = null;

  const startSmtp = async (tls: TlsMaterial): Promise<number> => {
    const smtpOptions = {
      host: options.host,
      tls,
      maxSize: options.maxSize,
      auth: options.smtpAuth,
      maxConnections: options.maxConnections,
      maxRecipients: options.maxRecipients,
      socketTimeout: options.smtpTimeout,
    };
    const smtp = createSmtpListener(deps.smtp, {
      ...smtpOptions,
      port: options.smtpPort,
      implicitTls: false,
    });
    smtpListeners.push(smtp);
    const smtpPort = await smtp.start().catch((err: unknown) => {
      throw listenError(err, "smtp", options.host, options.smtpPort);
    });
    ports.smtpPort = smtpPort;
    if (options.smtpsPort !== null) {
      const smtps = createSmtpListener(deps.smtp, {
        ...smtpOptions,
        port: options.smtpsPort,
        implicitTls: true,
      });
      smtpListeners.push(smtps);
      ports.smtpsPort = await smtps.start().catch((err: unknown) => {
        throw listenError(err, "smtps", options.host, options.smtpsPort as number);
      });
    }
    return smtpPort;
  };

  const startMailboxAccess = async (tls: TlsMaterial) => {
    const mailboxOptions = {
      host: options.host,
      tls,
      logins: options.mailAuth,
      mailboxBy: options.mailboxBy,
    };
    if (options.pop3Port !== null) {
      pop3 = createPop3Listener(deps.mailboxes, { ...mailboxOptions, port: options.pop3Port });
      ports.pop3Port = await pop3.start();
    }
    if (options.imapPort !== null) {
      imap = createImapListener(deps.mailboxes, { ...mailboxOptions, port: options.imapPort });
      ports.imapPort = await imap.start().catch((err: unknown) => {
        throw listenError(err, "imap", options.host, options.imapPort as number);
      });
    }
  };

  return {
    async start() {
      const tls = await resolveTls(
        { cert: options.tlsCert, key: options.tlsKey },
        deps.smtp.logger,
      );
      const smtpPort = await startSmtp(tls);
      await startMailboxAccess(tls);
      const httpPort = await deps.http.listen();
      ports.httpPort = httpPort;
      return { ...ports, smtpPort, httpPort };
    },
    async stop() {
      await Promise.all([...smtpListeners.map((l) => l.stop()), pop3?.stop(), imap?.stop()]);
      await deps.http.close();
    },
  };
}
