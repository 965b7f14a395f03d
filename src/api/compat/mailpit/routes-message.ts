import { Hono, type Context } from "hono";
import { attachmentHeaders } from "../../attachment-headers.js";
import { MailproofError } from "../../../core/errors.js";
import { recipientsParam, releaseMessage } from "../../../relay/release.js";
import { htmlCheck, linkCheck, spamCheck } from "./checks.js";
import type { MailpitContext } from "./context.js";
import { headerMap, messageSummary } from "./shapes.js";
import { thumbnail } from "./thumbnail.js";

/** One message: `/message/{ID}`, its headers, source, parts, thumbnails, checks and release. */
export function messageRoutes(
  ctx: MailpitContext,
  { spamAssassin }: { spamAssassin: boolean },
): Hono {
  const { deps, ok, readJson, resolve } = ctx;
  const { store } = deps;
  const api = new Hono();

  // Mailpit's swagger: "Returns the summary of a message, marking the message as read."
  api.get("/message/:id", async (c) => {
    const message = await resolve(c);
    if (!message.read) await store.update(message.id, { read: true });
    return c.json(await messageSummary(store, message));
  });
  api.get("/message/:id/headers", async (c) => c.json(headerMap(await resolve(c))));
  api.get("/message/:id/raw", async (c) => {
    const message = await resolve(c);
    const raw = await store.raw(message.id);
    const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
    if (c.req.query("dl") === "1")
      headers["Content-Disposition"] = `attachment; filename="${message.id}.eml"`;
    return c.body(new Uint8Array(raw ?? Buffer.alloc(0)), 200, headers);
  });

  const attachment = async (c: Context) => {
    const message = await resolve(c);
    const found = await store.attachment(message.id, c.req.param("partId")!);
    if (!found) throw new MailproofError("NOT_FOUND", `no part "${c.req.param("partId")}"`);
    return found;
  };
  api.get("/message/:id/part/:partId", async (c) => {
    const part = await attachment(c);
    return c.body(
      new Uint8Array(part.content),
      200,
      attachmentHeaders(part.contentType, part.filename, "attachment"),
    );
  });
  api.get("/message/:id/part/:partId/thumb", async (c) => {
    const part = await attachment(c);
    const jpeg = await thumbnail(part.content, part.contentType, deps.logger);
    return c.body(new Uint8Array(jpeg), 200, {
      "Content-Type": "image/jpeg",
      "X-Content-Type-Options": "nosniff",
    });
  });

  api.post("/message/:id/release", async (c) => {
    const message = await resolve(c);
    const body = await readJson(c);
    await releaseMessage(
      { store, relay: deps.relay ?? null },
      message.id,
      recipientsParam(body.To, "To"),
    );
    return ok(c);
  });

  api.get("/message/:id/html-check", async (c) => {
    const message = await resolve(c);
    // Mailpit answers a message without HTML with this 400.
    if (!message.html) throw new MailproofError("BAD_REQUEST", "message does not contain HTML");
    return c.json(htmlCheck(message));
  });
  api.get("/message/:id/link-check", async (c) => c.json(linkCheck(await resolve(c))));
  api.get("/message/:id/sa-check", async (c) => c.json(spamCheck(await resolve(c), spamAssassin)));
  return api;
}
