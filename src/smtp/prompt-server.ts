import type net from "node:net";
import type tls from "node:tls";
import { SMTPServer } from "smtp-server";
import { SMTPConnection } from "smtp-server/lib/smtp-connection.js";

type SocketOptions = ConstructorParameters<typeof SMTPConnection>[2];
type ServerOptions = ConstructorParameters<typeof SMTPServer>[0];

/** A reply text that starts with its own enhanced status code (RFC 3463), e.g. "5.7.1 Relaying denied". */
const OWN_ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3}(?: |$)/;

interface PromptServerHooks {
  /** Called with each new connection before anything is read from it (transcripts start here). */
  opened(connection: SMTPConnection): void;
  /** Implicit TLS: a secure context to present instead of the default one for this handshake (TLS fault rules), or null. */
  handshakeContext?(socket: net.Socket): Promise<tls.SecureContext> | null;
  /** A reply text refusing DATA with 452 before 354 is sent, or null to go on. */
  refuseData(session: SMTPConnection["session"]): string | null;
}

/**
 * smtp-server 3.21.6 (pinned in package.json) with its greeting sent at once.
 *
 * Upstream `SMTPConnection.init()` waits a hard-coded 100 ms before greeting, to catch "early
 * talker" spam bots, and `connectionReady()` reverse-resolves every client. In a local sandbox
 * both only cost time: the wait adds 100 ms to every send and caps new-connection throughput.
 * Reverse lookup is switched off by the `disableReverseLookup` option; the delay has no option,
 * so `connect()` repeats upstream's five lines with `connectionReady()` called directly.
 *
 * A client that sends EHLO before the greeting (pipelining-happy libraries do) must be served,
 * not told "You talk too soon": commands that arrive before the session is ready are held
 * (the parser waits for its callback, so at most one is) and replayed once the greeting is out.
 *
 * With enhanced status codes on, smtp-server prefixes one to every error reply from a handler,
 * so "550 5.7.1 Relaying denied" would leave as "550 5.1.1 5.7.1 Relaying denied"; a reply
 * text that carries its own code is sent as it is.
 *
 * DATA has no handler hook before smtp-server answers 354, so `refuseData` wraps its command
 * handler: a client is told to come back later before it sends the message, not after.
 */
export class PromptSMTPServer extends SMTPServer {
  readonly #hooks: PromptServerHooks;

  constructor(options: ServerOptions, hooks: PromptServerHooks) {
    super(options);
    this.#hooks = hooks;
  }

  /** Drops a connection without a reply, as a crashing or overloaded server would (fault rules). */
  drop(connectionId: string): void {
    for (const connection of this.connections)
      if (connection.id === connectionId) connection._socket.destroy();
  }

  /** Waits `ms`, cut short when the connection closes; resolves whether it is still open (fault delays). */
  pause(connectionId: string, ms: number): Promise<boolean> {
    const connection = [...this.connections].find((c) => c.id === connectionId);
    if (!connection) return Promise.resolve(false);
    const socket = connection._socket;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        socket.off("close", done);
        resolve(!socket.destroyed);
      };
      const timer = setTimeout(done, ms);
      socket.once("close", done);
    });
  }

  /**
   * Runs `upgrade` with `context` as the default secure context. Both upgrade paths read it
   * synchronously when they create the TLS socket (`createTLSSocketOptions`), so the swap
   * affects that one handshake only.
   */
  presenting(context: tls.SecureContext, upgrade: () => void): void {
    const usual = this.secureContext.get("*");
    this.secureContext.set("*", context);
    try {
      upgrade();
    } finally {
      if (usual) this.secureContext.set("*", usual);
    }
  }

  override _upgrade(socket: net.Socket, callback: Parameters<SMTPServer["_upgrade"]>[1]): void {
    const pending = this.#hooks.handshakeContext?.(socket) ?? null;
    if (!pending) return super._upgrade(socket, callback);
    pending.then(
      (context) => this.presenting(context, () => super._upgrade(socket, callback)),
      (err: Error) => {
        socket.destroy();
        callback(Object.assign(err, { code: "TLS_FAULT_CONTEXT" }));
      },
    );
  }

  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SocketOptions | null): void {
    const connection = new SMTPConnection(this, socket, socketOptions ?? undefined);
    this.connections.add(connection);
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) =>
      send(code, data, typeof data === "string" && OWN_ENHANCED_CODE.test(data) ? false : context);
    this.#hooks.opened(connection);
    const handleData = connection.handler_DATA.bind(connection);
    connection.handler_DATA = (command, callback) => {
      const refusal =
        connection.session.envelope.rcptTo.length > 0
          ? this.#hooks.refuseData(connection.session)
          : null;
      if (refusal === null) return handleData(command, callback);
      connection.send(452, refusal);
      callback();
    };
    connection.on("error", (err: Error) => this._onError(err));
    connection.on("connect", (data: Parameters<SMTPServer["_onClientConnect"]>[0]) =>
      this._onClientConnect(data),
    );
    const onCommand = connection._onCommand.bind(connection);
    let held: [Buffer, (() => void) | undefined] | null = null;
    connection._onCommand = (command, callback) => {
      if (connection._ready) return onCommand(command, callback);
      held = [command, callback];
    };
    connection._setListeners(() => {
      const { maxClients } = this.options;
      if (maxClients && this.connections.size > maxClients) {
        // A 421 reply also closes the connection (RFC 5321 §3.8).
        connection.send(
          421,
          `${connection.name} Too many connected clients, try again in a moment`,
          false,
        );
        return;
      }
      connection.connectionReady(() => {
        if (held) onCommand(...held);
        held = null;
      });
    });
  }
}
