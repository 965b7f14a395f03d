import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { EventBus } from "../../core/events.js";
import { normalizeMailbox } from "../../mailboxes/assign.js";
import { parseQuery } from "../../store/query.js";
import type { Store } from "../../store/store.js";
import { listItem } from "./shapes.js";

const PATH = "/api/events";
const VERSION = "v1.24.0-mailproof";

export interface MailpitWebsocketDeps {
  store: Store;
  events: EventBus;
  logger: Logger;
  /** Decides whether an upgrade request may connect (the API's access control). */
  authorize?: (request: IncomingMessage) => boolean;
}

/**
 * Mailpit's live-update websocket on `/api/events` (the same path as our Server-Sent Events:
 * a WebSocket upgrade gets Mailpit's frames, a plain GET the SSE stream). Frames are
 * `{ Type, Data }` with the types Mailpit's web UI and clients listen for: new, stats, delete,
 * truncate. `?mailbox=NAME` limits `new` frames to that mailbox (stats stay sandbox-wide).
 */
export function attachMailpitWebsocket(server: Server, deps: MailpitWebsocketDeps): () => void {
  const wss = new WebSocketServer({ noServer: true });
  /** The `?mailbox=` each client connected with: it gets only that mailbox's new messages. */
  const mailboxes = new WeakMap<WebSocket, string>();
  const broadcast = (frame: unknown, mailbox: string | null = null) => {
    const text = JSON.stringify(frame);
    for (const client of wss.clients) {
      const scope = mailboxes.get(client);
      if (client.readyState === client.OPEN && (mailbox === null || scope === undefined || scope === mailbox)) client.send(text);
    }
  };
  const stats = async () => {
    const [total, unread] = await Promise.all([deps.store.count(), deps.store.list({ query: parseQuery("is:unread"), limit: 1 })]);
    return { Type: "stats", Data: { Total: total, Unread: unread.total, Version: VERSION } };
  };
  const announce = (work: () => Promise<void>) => {
    if (wss.clients.size === 0) return;
    work().catch((err: unknown) => deps.logger.error({ err }, "mailpit websocket frame failed"));
  };

  const off = [
    deps.events.on("message.received", ({ id, summary }) =>
      announce(async () => {
        const message = await deps.store.get(id);
        if (message) broadcast({ Type: "new", Data: listItem(message, summary.snippet) }, summary.mailbox);
        broadcast(await stats());
      }),
    ),
    deps.events.on("message.deleted", ({ ids }) =>
      announce(async () => {
        if (ids === "all") broadcast({ Type: "truncate", Data: "" });
        else for (const id of ids) broadcast({ Type: "delete", Data: { ID: id } });
        broadcast(await stats());
      }),
    ),
  ];

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? "").split("?")[0];
    if (path !== PATH) return socket.destroy();
    if (deps.authorize && !deps.authorize(request)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const mailbox = normalizeMailbox(new URL(request.url ?? "/", "http://localhost").searchParams.get("mailbox"));
      if (mailbox !== null) mailboxes.set(ws, mailbox);
      wss.emit("connection", ws, request);
      stats().then(
        (frame) => ws.send(JSON.stringify(frame)),
        (err: unknown) => deps.logger.error({ err }, "mailpit websocket stats failed"),
      );
    });
  };
  server.on("upgrade", onUpgrade);

  return () => {
    off.forEach((unsubscribe) => unsubscribe());
    server.off("upgrade", onUpgrade);
    for (const client of wss.clients) client.terminate();
    wss.close();
  };
}
