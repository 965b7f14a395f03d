import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { SMTPServerAuthentication, SMTPServerDataStream, SMTPServerSession } from "smtp-server";
import type { Credentials } from "../config/options.js";
import type { Ingest } from "../ingest/ingest.js";
import type { TlsMaterial } from "./tls.js";
import { PromptSMTPServer } from "./prompt-server.js";

export interface SmtpListenerOptions {
  host: string;
  port: number;
  /** Implicit TLS (SMTPS) instead of plain SMTP with STARTTLS offered. */
  implicitTls: boolean;
  tls: TlsMaterial;
  maxSize: number;
  /** Required credentials; null accepts any credentials and mail without AUTH. */
  auth: Credentials[] | null;
  maxConnections: number;
}

export interface SmtpListenerDeps {
  ingest: Ingest;
  logger: Logger;
}

export interface SmtpListener {
  start(): Promise<number>;
  stop(): Promise<void>;
}

/** Thrown into smtp-server callbacks: it answers `responseCode` and the message. */
function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

export function createSmtpListener(deps: SmtpListenerDeps, options: SmtpListenerOptions): SmtpListener {
  const { logger } = deps;
  const server = new PromptSMTPServer({
    secure: options.implicitTls,
    key: options.tls.key,
    cert: options.tls.cert,
    name: "mailproof",
    banner: "sandbox",
    size: options.maxSize,
    maxClients: options.maxConnections || undefined,
    // Development apps often send credentials on plain port 1025; refusing them would only
    // make the sandbox fail where production would not.
    allowInsecureAuth: true,
    authOptional: options.auth === null,
    authMethods: ["PLAIN", "LOGIN", "CRAM-MD5"],
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    // On shutdown, sessions get this long to finish before they are cut (smtp-server's default is 30 s).
    closeTimeout: 10_000,
    logger: false,
    onAuth: (auth, session, callback) => authenticate(options.auth, auth, session, callback, logger),
    onData: (stream, session, callback) => receive(stream, session, callback),
  });
  server.on("error", (err: Error) => logger.warn({ err }, "smtp connection error"));

  const receive = (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) => {
    const chunks: Buffer[] = [];
    let received = 0;
    stream.on("data", (chunk: Buffer) => {
      received += chunk.length;
      // Past the limit nothing more is kept: the bytes are drained and the reply is 552.
      if (received <= options.maxSize) chunks.push(chunk);
    });
    stream.on("error", (err: Error) => {
      logger.warn({ err, session: session.id }, "smtp data stream failed");
      callback(smtpError(451, "4.3.0 Error reading message data"));
    });
    stream.on("end", () => {
      if (stream.sizeExceeded || received > options.maxSize) {
        logger.info({ session: session.id, size: received, maxSize: options.maxSize }, "message rejected: too large");
        return callback(smtpError(552, `5.3.4 Message size exceeds fixed limit of ${options.maxSize} bytes`));
      }
      const raw = Buffer.concat(chunks, received);
      const envelope = {
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null,
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
        remoteAddress: session.remoteAddress,
        helo: session.hostNameAppearsAs || null,
        secure: session.secure,
        authUser: typeof session.user === "string" ? session.user : null,
        smtpUtf8: Boolean((session.envelope as { smtpUtf8?: boolean }).smtpUtf8),
      };
      deps.ingest({ raw, envelope, source: { kind: "smtp", providerMessageId: null } }).then(
        (message) => callback(null, `Ok: queued as ${message.id}`),
        (err: unknown) => {
          logger.error({ err, session: session.id }, "message could not be stored");
          callback(smtpError(451, "4.3.0 Message could not be stored, try again later"));
        },
      );
    });
  };

  return {
    start() {
      return new Promise((resolve, reject) => {
        server.server.once("error", reject);
        server.listen(options.port, options.host, () => {
          server.server.off("error", reject);
          resolve((server.server.address() as AddressInfo).port);
        });
      });
    },
    stop() {
      // smtp-server lets open sessions finish (up to its close timeout) before it calls back.
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function authenticate(
  required: Credentials[] | null,
  auth: SMTPServerAuthentication,
  session: SMTPServerSession,
  callback: (err: Error | null | undefined, response?: { user?: unknown }) => void,
  logger: Logger,
): void {
  const user = auth.username ?? "";
  if (required === null) return callback(null, { user });
  const ok = required.some((c) => {
    if (!sameText(c.user, user)) return false;
    if (auth.method === "CRAM-MD5") return auth.validatePassword(c.pass);
    return sameText(c.pass, auth.password ?? "");
  });
  if (ok) return callback(null, { user });
  logger.info({ session: session.id, user, method: auth.method }, "smtp authentication failed");
  callback(smtpError(535, "5.7.8 Authentication credentials invalid"));
}

/** Constant-time comparison, so response timing does not reveal how much of a secret matched. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
