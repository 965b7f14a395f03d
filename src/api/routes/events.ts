import type { HttpBindings } from "@hono/node-server";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { EventName } from "../../core/events.js";
import { normalizeMailbox } from "../../mailboxes/assign.js";
import type { ApiDeps } from "../deps.js";
import { boundedEventJson } from "../live/bounded-events.js";
import { createClientQueue, type ClientQueue } from "../live/client-queue.js";

const KEEPALIVE_MS = 15_000;
const NAMES: EventName[] = ["message.received", "message.analyzed", "message.deleted"];

interface EventRoutesOptions {
  /**
   * Bytes of events one client may have waiting (beyond what its socket buffers hold) before it
   * is disconnected as not reading. A browser reconnects by itself and reloads what it missed.
   * @default 1 MiB
   */
  maxQueueBytes?: number;
}

/**
 * Server-Sent Events: every bus event as `event: <name>` with its JSON payload. Each event is
 * serialised once for all clients (src/api/live/bounded-events.ts bounds its size), and each
 * client has a bounded queue of them (src/api/live/client-queue.ts). With `?mailbox=`, a client
 * gets only that mailbox's received and analyzed events; deletions carry ids only and all pass
 * (a client ignores ids it does not show).
 */
export function eventRoutes(
  deps: ApiDeps,
  options: EventRoutesOptions = {},
): Hono<{ Bindings: HttpBindings }> {
  const maxQueueBytes = options.maxQueueBytes ?? 1024 * 1024;
  /** Each client's queue and the mailbox it asked for (null: all). */
  const clients = new Map<ClientQueue, string | null>();
  for (const name of NAMES) {
    deps.events.on(name, (payload) => {
      if (clients.size === 0) return;
      const mailbox = "summary" in payload ? payload.summary.mailbox : null;
      const frame = Buffer.from(`event: ${name}\ndata: ${boundedEventJson(name, payload)}\n\n`);
      for (const [client, scope] of clients)
        if (scope === null || mailbox === null || scope === mailbox) client.push(frame);
    });
  }

  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get("/", (c) => {
    const mailbox = normalizeMailbox(c.req.query("mailbox"));
    return streamSSE(c, async (stream) => {
      const queue = createClientQueue(maxQueueBytes, () => {
        clients.delete(queue);
        deps.logger.warn({ maxQueueBytes }, "SSE client disconnected: it did not read its events");
        // Its socket is full: ending the response politely would wait behind the unread bytes.
        c.env?.outgoing?.destroy();
        stream.abort();
      });
      clients.set(queue, mailbox);
      stream.onAbort(() => {
        clients.delete(queue);
        queue.close();
      });
      await stream.write(": connected\n\n");
      while (!stream.aborted) {
        const frames = await queue.take(KEEPALIVE_MS);
        if (frames === null) break;
        if (frames.length === 0) await stream.write(": keepalive\n\n");
        // The shared buffers themselves: no copy per client.
        for (const frame of frames) await stream.write(frame);
      }
    });
  });
  return app;
}
