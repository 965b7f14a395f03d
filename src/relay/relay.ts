import { hostname } from "node:os";
import nodemailer from "nodemailer";
import type { Logger } from "pino";
import { MailproofError } from "../core/errors.js";
import type { Message } from "../core/types.js";
import { compileGlob } from "../core/glob.js";
import type { RelayTarget } from "./relay-target.js";

interface RelayOptions {
  target: RelayTarget;
  /** `--relay-allow` globs; empty: any recipient may be released by hand. */
  allow: string[];
  /** How long one relay may take, connection to final reply. @default 30000 */
  timeoutMs?: number;
}

export interface RelayResult {
  relayed: string[];
  /** The relay's final SMTP reply, e.g. `250 2.0.0 Ok: queued as …`. */
  reply: string;
}

export interface Relay {
  /** The URL without password, for health and logs. */
  target: string;
  /** The `--relay-allow` globs. */
  allow: string[];
  /** Recipients the allow-list refuses (all allowed without one). */
  refused(recipients: string[]): string[];
  /** Sends the captured bytes, plus a Received: line, to `to` through the relay. */
  release(message: Message, raw: Buffer, to: string[]): Promise<RelayResult>;
  close(): void;
}

export function createRelay(deps: { logger: Logger }, options: RelayOptions): Relay {
  const { target } = options;
  const allowed = options.allow.map(compileGlob);
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.secure,
    auth: target.auth ?? undefined,
    tls: { rejectUnauthorized: target.verifyTls, servername: target.host },
    connectionTimeout: options.timeoutMs ?? 30_000,
    greetingTimeout: options.timeoutMs ?? 30_000,
    socketTimeout: options.timeoutMs ?? 30_000,
  });

  return {
    target: target.display,
    allow: options.allow,
    refused: (recipients) =>
      allowed.length === 0 ? [] : recipients.filter((r) => !allowed.some((match) => match(r))),
    async release(message, raw, to) {
      const received = receivedLine(message);
      try {
        const info = await transport.sendMail({
          envelope: { from: message.envelope.mailFrom ?? "", to },
          raw: Buffer.concat([Buffer.from(received), raw]),
        });
        deps.logger.info(
          { id: message.id, relay: target.display, to, reply: info.response },
          "message released",
        );
        return { relayed: info.accepted.map(String), reply: info.response };
      } catch (err) {
        const smtp = err as {
          response?: string;
          responseCode?: number;
          code?: string;
          message: string;
        };
        deps.logger.warn({ err, id: message.id, relay: target.display, to }, "release failed");
        // The remote server's own reply when it gave one; else what went wrong on the way there.
        const reply = smtp.response ?? `${smtp.code ?? "ERROR"}: ${smtp.message}`;
        throw new MailproofError(
          "RELAY_FAILED",
          `${target.display} refused the message: ${reply}`,
          { cause: err },
        );
      }
    },
    close: () => transport.close(),
  };
}

/** RFC 5321 §4.4: each hop prepends a trace line; this one says the sandbox released it. */
function receivedLine(message: Message): string {
  return `Received: from mailproof (released message ${message.id}) by ${hostname()} with ESMTP; ${new Date().toUTCString().replace("GMT", "+0000")}\r\n`;
}
