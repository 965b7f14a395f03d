import type net from "node:net";
import type tls from "node:tls";
import { SMTPServer } from "smtp-server";
import { SMTPConnection } from "smtp-server/lib/smtp-connection.js";

type SocketOptions = ConstructorParameters<typeof SMTPConnection>[2];

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
 */
export class PromptSMTPServer extends SMTPServer {
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SocketOptions | null): void {
    const connection = new SMTPConnection(this, socket, socketOptions ?? undefined);
    this.connections.add(connection);
    connection.on("error", (err: Error) => this._onError(err));
    connection.on("connect", (data: Parameters<SMTPServer["_onClientConnect"]>[0]) => this._onClientConnect(data));
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
        connection.send(421, `${connection.name} Too many connected clients, try again in a moment`, false);
        return;
      }
      connection.connectionReady(() => {
        if (held) onCommand(...held);
        held = null;
      });
    });
  }
}
