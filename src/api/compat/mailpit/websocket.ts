import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { Verdict } from "../../cross-site.js";
import { cut, MAX_LIST } from "../../live/bounded-events.js";
import { errorBody } from "../../errors.js";
import type { EventBus } from "../../../core/events.js";
import { normalizeMailbox } from "../../../mailboxes/assign.js";
import { parseQuery } from "../../../store/query.js";
import type { Store } from "../../../store/store.js";
import { listItem } from "./shapes.js";

type ListItem = ReturnType<typeof listItem>;

/** Recipient lists and the subject cut down, so one frame stays small for every client. */
function boundedListItem(item: ListItem): ListItem {
  return {
    ...item,
    To: item.To.slice(0, MAX_LIST),
    Cc: item.Cc.slice(0, MAX_LIST),
    Bcc: item.Bcc.slice(0, MAX_LIST),
    ReplyTo: item.ReplyTo.slice(0, MAX_LIST),
    Subject: cut(item.Subject),
    Tags: item.Tags.slice(0, MAX_LIST),
  };
}

const PATH = "/api/events";
const VERSION = "v1.24.0-mailproof";

interface MailpitWebsocketDeps {
  store: Store;
  events: EventBus;
  logger: Logger;
  /** Decides whether an upgrade request may connect: access control, Host and Origin checks. */
  authorize: (request: IncomingMessage) => Verdict;
  /** Unsent bytes one client may have before it is disconnected as not reading. @default 1 MiB */
  maxBufferedBytes?: number;
}

/**
 * Mailpit's live-update websocket on `/api/events` (the same path as our Server-Sent Events:
 * a WebSocket upgrade gets Mailpit's frames, a plain GET the SSE stream). Frames are
 * `{ Type, Data }` with the types Mailpit's web UI and clients listen for: new, stats, delete,
 * truncate. `?mailbox=NAME` limits `new` frames to that mailbox (stats stay sandbox-wide).
 */
export function attachMailpitWebsocket(server: Server, deps: MailpitWebsocketDeps): () => void {
  const wss = new WebSocketServer({ noServer: true });
  const maxBuffered = deps.maxBufferedBytes ?? 1024 * 1024;
  /** The `?mailbox=` each client connected with: it gets only that mailbox's new messages. */
  const mailboxes = new WeakMap<WebSocket, string>();
  /** Serialised once for every client; a client whose unsent bytes pass the bound is cut off. */
  const broadcast = (frame: unknown, mailbox: string | null = null) => {
    const data = Buffer.from(JSON.stringify(frame));
    for (const client of wss.clients) {
      if (client.readyState !== client.OPEN) continue;
      const scope = mailboxes.get(client);
      if (mailbox !== null && scope !== undefined && scope !== mailbox) continue;
      if (client.bufferedAmount + data.length > maxBuffered) {
        deps.logger.warn(
          { maxBuffered },
          "mailpit websocket client disconnected: it did not read its frames",
        );
        client.terminate();
        continue;
      }
      client.send(data, { binary: false });
    }
  };
  const stats = async () => {
    const [total, unread] = await Promise.all([
      deps.store.count(),
      deps.store.list({ query: parseQuery("is:unread"), limit: 1 }),
    ]);
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
        if (message)
          broadcast(
            { Type: "new", Data: boundedListItem(listItem(message, summary.snippet)) },
            summary.mailbox,
          );
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
    const verdict = deps.authorize(request);
    if (!verdict.ok) {
      // The same answer HTTP gives: a status line and the JSON error, then the socket closes.
      const body = JSON.stringify(
        errorBody(verdict.status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", verdict.message),
      );
      const reason = verdict.status === 401 ? "Unauthorized" : "Forbidden";
      socket.end(
        `HTTP/1.1 ${verdict.status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const mailbox = normalizeMailbox(
        new URL(request.url ?? "/", "http://localhost").searchParams.get("mailbox"),
      );
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
