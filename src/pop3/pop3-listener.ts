import net from "node:net";
import tls from "node:tls";
import type { Logger } from "pino";
import type { Credentials } from "../config/options.js";
import type { EventBus } from "../core/events.js";
import type { TlsMaterial } from "../smtp/tls.js";
import type { MailboxBy } from "../mailboxes/assign.js";
import type { Store } from "../store/store.js";
import { createPop3Session } from "./pop3-session.js";
import { createTcpService } from "../core/tcp-service.js";

interface Pop3ListenerOptions {
  host: string;
  port: number;
  tls: TlsMaterial;
  logins: Credentials[] | null;
  /** `--mailbox-by`: a login sees its own mailbox only, unless "none". */
  mailboxBy: MailboxBy;
}

/** RFC 1939 §3: a server may close a session idle this long (at least 10 minutes). */
const IDLE_MS = 10 * 60_000;
/** A command line is short (RFC 2449 allows 255 octets); more is a broken or hostile client. */
const MAX_LINE = 1024;

/** `--pop3-port`: POP3 (RFC 1939) with STLS (RFC 2595), CAPA (RFC 2449) and AUTH PLAIN (RFC 5034). */
export function createPop3Listener(
  deps: { store: Store; events: EventBus; logger: Logger },
  options: Pop3ListenerOptions,
) {
  const secureContext = tls.createSecureContext({ key: options.tls.key, cert: options.tls.cert });

  const serve = (plain: net.Socket) => {
    let socket: net.Socket = plain;
    let secure = false;
    let buffer = "";
    let busy = Promise.resolve();
    const session = createPop3Session({
      ...deps,
      logins: options.logins,
      mailboxBy: options.mailboxBy,
      canStartTls: () => !secure,
    });

    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      if (buffer.length > MAX_LINE && !buffer.includes("\n")) {
        socket.end("-ERR line too long\r\n");
        return;
      }
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        // Commands are answered in order, also when a client pipelines them (RFC 2449 PIPELINING).
        busy = busy.then(() => answer(line));
      }
    };

    const answer = async (line: string) => {
      if (socket.destroyed) return;
      let reply;
      try {
        reply = await session.handle(line);
      } catch (err) {
        deps.logger.error({ err }, "pop3 command failed");
        reply = { data: "-ERR internal error; see the mailproof log\r\n" };
      }
      socket.write(reply.data);
      if (reply.after === "close") socket.end();
      if (reply.after === "starttls") upgrade();
    };

    const upgrade = () => {
      socket.off("data", onData);
      buffer = "";
      const secured = new tls.TLSSocket(socket, { isServer: true, secureContext });
      secured.on("secure", () => {
        secure = true;
      });
      secured.on("error", (err) => deps.logger.info({ err }, "pop3 TLS failed"));
      secured.on("data", onData);
      socket = secured;
    };

    plain.setTimeout(IDLE_MS, () => socket.end("-ERR idle too long, bye\r\n"));
    plain.on("error", (err) => deps.logger.debug({ err }, "pop3 connection error"));
    plain.on("data", onData);
    plain.write("+OK mailproof POP3 ready\r\n");
  };

  return createTcpService(serve, options);
}
