import net from "node:net";
import tls from "node:tls";
import type { Logger } from "pino";
import type { Credentials } from "../config/options.js";
import type { EventBus } from "../core/events.js";
import type { TlsMaterial } from "../smtp/tls.js";
import type { Store } from "../store/store.js";
import { createImapSession } from "./imap-session.js";
import type { MailboxBy } from "../mailboxes/assign.js";
import { createTcpService } from "../core/tcp-service.js";

interface ImapListenerOptions {
  host: string;
  port: number;
  tls: TlsMaterial;
  logins: Credentials[] | null;
  mailboxBy: MailboxBy;
}

/** RFC 3501 §5.4: an autologout timer of at least 30 minutes; IDLE clients re-issue it within 29. */
const IDLE_MS = 30 * 60_000;
/** A command line without its literals; RFC 7162 §4 suggests servers accept at least 8192 octets. */
const MAX_LINE = 16 * 1024;
/** Literals carry login names, passwords and search strings here (APPEND is refused). */
const MAX_LITERAL = 64 * 1024;

/** `--imap-port`: IMAP4rev1 (RFC 3501) with STARTTLS, LITERAL+ (RFC 7888) and IDLE (RFC 2177). */
export function createImapListener(
  deps: { store: Store; events: EventBus; logger: Logger },
  options: ImapListenerOptions,
) {
  const secureContext = tls.createSecureContext({ key: options.tls.key, cert: options.tls.cert });

  const serve = (plain: net.Socket) => {
    let socket: net.Socket = plain;
    let secure = false;
    let buffer = "";
    /** The command so far, while its literals arrive (RFC 3501 §4.3). */
    let pending = "";
    let literalLeft = 0;
    /** Set from a STARTTLS until its reply: plaintext sent behind it must not run inside TLS (RFC 3207 §4.2, CVE-2011-0411). */
    let upgrading = false;
    let busy = Promise.resolve();
    const write = (data: Buffer | string) => {
      if (!socket.destroyed) socket.write(data);
    };
    const session = createImapSession({
      ...deps,
      logins: options.logins,
      mailboxBy: options.mailboxBy,
      canStartTls: () => !secure,
      push: write,
    });
    plain.once("close", () => session.close());

    const onData = (chunk: Buffer) => {
      if (upgrading) return;
      buffer += chunk.toString("latin1");
      for (;;) {
        if (literalLeft > 0) {
          const take = Math.min(literalLeft, buffer.length);
          pending += buffer.slice(0, take);
          buffer = buffer.slice(take);
          literalLeft -= take;
          if (literalLeft > 0) return;
        }
        const newline = buffer.indexOf("\n");
        if (newline < 0) {
          if (buffer.length + pending.length > MAX_LINE + MAX_LITERAL)
            socket.end("* BYE command line too long\r\n");
          return;
        }
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        const literal = /\{(\d+)(\+?)\}$/.exec(line);
        if (literal) {
          const length = Number(literal[1]);
          if (length > MAX_LITERAL || pending.length + line.length > MAX_LINE + MAX_LITERAL) {
            socket.end("* BYE literal too large\r\n");
            return;
          }
          pending += `${line}\r\n`;
          literalLeft = length;
          // A synchronising literal waits for our go-ahead; LITERAL+ ({n+}) does not (RFC 7888).
          if (!literal[2]) busy = busy.then(() => write("+ go ahead\r\n"));
          continue;
        }
        const command = pending + line;
        pending = "";
        // Commands are answered in order, also when a client pipelines them.
        busy = busy.then(() => answer(command));
        if (!secure && /^\S+ STARTTLS$/i.test(command)) {
          upgrading = true;
          buffer = "";
          return;
        }
      }
    };

    const answer = async (command: string) => {
      if (socket.destroyed) return;
      let reply;
      try {
        reply = await session.handle(command);
      } catch (err) {
        deps.logger.error({ err }, "imap command failed");
        const tag = command.split(" ", 1)[0];
        reply = { data: `${tag} NO [SERVERBUG] internal error; see the mailproof log\r\n` };
      }
      write(reply.data);
      upgrading = false;
      if (reply.after === "close") socket.end();
      if (reply.after === "starttls") upgrade();
    };

    const upgrade = () => {
      socket.off("data", onData);
      buffer = "";
      pending = "";
      literalLeft = 0;
      const secured = new tls.TLSSocket(socket, { isServer: true, secureContext });
      secured.on("secure", () => {
        secure = true;
      });
      secured.on("error", (err) => deps.logger.info({ err }, "imap TLS failed"));
      secured.on("data", onData);
      socket = secured;
    };

    plain.setTimeout(IDLE_MS, () => socket.end("* BYE autologout; idle too long\r\n"));
    plain.on("error", (err) => deps.logger.debug({ err }, "imap connection error"));
    plain.on("data", onData);
    plain.write(
      "* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE UNSELECT STARTTLS AUTH=PLAIN SASL-IR] mailproof IMAP ready\r\n",
    );
  };

  return createTcpService(serve, options);
}
