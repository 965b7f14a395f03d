import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { EventName, MailproofEvents } from "../../core/events.js";
import { normalizeMailbox } from "../../mailboxes/assign.js";
import type { ApiDeps } from "../deps.js";

const KEEPALIVE_MS = 15_000;
const NAMES: EventName[] = ["message.received", "message.analyzed", "message.deleted"];

/**
 * Server-Sent Events: every bus event as `event: <name>` with its JSON payload. With `?mailbox=`,
 * only that mailbox's received and analyzed events; deletions carry ids only and all pass (a
 * client ignores ids it does not show).
 */
export function eventRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    const mailbox = normalizeMailbox(c.req.query("mailbox"));
    const wanted = (payload: MailproofEvents[EventName]) => mailbox === null || !("summary" in payload) || payload.summary.mailbox === mailbox;
    return streamSSE(c, async (stream) => {
      const queue: Array<{ event: string; data: string }> = [];
      let wake: (() => void) | null = null;
      const unsubscribe = NAMES.map((name) =>
        deps.events.on(name, (payload) => {
          if (!wanted(payload)) return;
          queue.push({ event: name, data: JSON.stringify(payload) });
          wake?.();
        }),
      );
      stream.onAbort(() => {
        unsubscribe.forEach((off) => off());
        wake?.();
      });
      await stream.write(": connected\n\n");
      while (!stream.aborted) {
        const next = queue.shift();
        if (next) {
          await stream.writeSSE(next);
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, KEEPALIVE_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
        if (queue.length === 0 && !stream.aborted) await stream.write(": keepalive\n\n");
      }
    });
  });
  return app;
}
