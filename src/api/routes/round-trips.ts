import { Hono } from "hono";
import { createLinkChecker } from "../../analysis/links/index.js";
import { MailproofError } from "../../core/errors.js";
import { originalTag } from "../../roundtrip/original.js";
import { buildReply, replyInput } from "../../roundtrip/reply.js";
import { unsubscribe } from "../../roundtrip/unsubscribe.js";
import type { ApiDeps } from "../deps.js";

/**
 * `POST /api/messages/:id/reply` → `{ delivered, to, status }` and `POST /api/messages/:id/unsubscribe`
 * → `{ url, status, ok }` (DESIGN.md "Round trips").
 */
export function roundTripRoutes(deps: ApiDeps): Hono {
  const settings = deps.links ?? { appUrl: null, allowedLinkHosts: [] };
  const checker = createLinkChecker({ logger: deps.logger }, settings);
  const app = new Hono();

  const load = async (id: string) => {
    const message = await deps.store.get(id);
    if (!message) throw new MailproofError("NOT_FOUND", `no message with id "${id}"`);
    return message;
  };

  app.post("/:id/reply", async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new MailproofError(
        "INVALID_JSON",
        'the request body must be JSON: { "text": "…", "from"?: "…", "html"?: "…" }',
      );
    });
    const input = replyInput(body);
    const inbound = deps.inbound;
    if (!inbound)
      throw new MailproofError(
        "BAD_REQUEST",
        "no inbound target is configured: start mailproof with --inbound smtp://host:port (or a provider format URL) to deliver replies",
      );
    const original = await load(c.req.param("id"));
    const reply = buildReply(original, input);
    // Captured too, so the reply shows beside the message it answers.
    await deps.ingest({
      raw: reply.raw,
      envelope: {
        mailFrom: reply.mailFrom,
        rcptTo: reply.rcptTo,
        remoteAddress: null,
        helo: null,
        secure: false,
        authUser: null,
      },
      source: { kind: "dsn", providerMessageId: null },
      tags: ["reply", originalTag(original.id)],
    });
    const { status } = await inbound.deliver(reply);
    return c.json({ delivered: true, to: inbound.display, status });
  });

  app.post("/:id/unsubscribe", async (c) =>
    c.json(
      await unsubscribe(
        { checker, logger: deps.logger },
        await load(c.req.param("id")),
        settings.appUrl,
      ),
    ),
  );

  return app;
}
