import { Hono } from "hono";
import { MailproofError } from "../../core/errors.js";
import { checkTags } from "../../limits/tags.js";
import { attachmentHeaders } from "../attachment-headers.js";
import { attachmentDisposition } from "../content-disposition.js";
import type { ApiDeps } from "../deps.js";
import { intParam } from "../params.js";
import { withOriginalId } from "../../roundtrip/original.js";
import { searchParams } from "../search-params.js";

export function messageRoutes(deps: ApiDeps): Hono {
  const { store, events } = deps;
  const app = new Hono();

  app.get("/", async (c) => {
    const { query } = searchParams(c);
    const limit = intParam(c.req.query("limit"), "limit", 50, 1, 1000);
    return c.json(await store.list({ query, limit, before: c.req.query("before") || null }));
  });

  // Its body is bounded by --max-size while it arrives (see ingestionBody in app.ts).
  app.post("/", async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (raw.length === 0)
      throw new MailproofError("BAD_REQUEST", "the request body must be a raw RFC 5322 message");
    const list = (name: string) =>
      (c.req.query(name) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const message = await deps.ingest({
      raw,
      envelope: {
        mailFrom: c.req.query("from") || null,
        rcptTo: list("to"),
        remoteAddress: null,
        helo: null,
        secure: false,
        authUser: null,
      },
      source: { kind: "upload", providerMessageId: null },
      tags: list("tags"),
    });
    return c.json({ id: message.id }, 201);
  });

  app.delete("/", async (c) => {
    const { query } = searchParams(c);
    const ids = await store.delete(query);
    if (ids.length > 0)
      events.emit("message.deleted", { ids: query.terms.length === 0 ? "all" : ids });
    return c.json({ deleted: ids.length });
  });

  const notFound = (id: string) => new MailproofError("NOT_FOUND", `no message with id "${id}"`);

  app.get("/:id", async (c) => {
    const message = await store.get(c.req.param("id"));
    if (!message) throw notFound(c.req.param("id"));
    return c.json(withOriginalId(message));
  });

  app.patch("/:id", async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new MailproofError("INVALID_JSON", "the request body must be JSON");
    });
    const changes: { read?: boolean; tags?: string[] } = {};
    if (body === null || typeof body !== "object" || Array.isArray(body))
      throw new MailproofError("BAD_REQUEST", "expected an object with read and/or tags");
    if ("read" in body) {
      if (typeof body.read !== "boolean")
        throw new MailproofError("BAD_REQUEST", '"read" must be a boolean');
      changes.read = body.read;
    }
    if ("tags" in body) {
      if (!isStrings(body.tags)) {
        throw new MailproofError("BAD_REQUEST", '"tags" must be an array of strings');
      }
      changes.tags = checkTags(body.tags);
    }
    const summary = await store.update(c.req.param("id"), changes);
    if (!summary) throw notFound(c.req.param("id"));
    return c.json(summary);
  });

  app.delete("/:id", async (c) => {
    const ids = await store.deleteIds([c.req.param("id")]);
    if (ids.length === 0) throw notFound(c.req.param("id"));
    events.emit("message.deleted", { ids });
    return c.json({ deleted: 1 });
  });

  app.get("/:id/raw", async (c) => {
    const raw = await store.raw(c.req.param("id"));
    if (!raw) throw notFound(c.req.param("id"));
    const download = c.req.query("download") !== undefined;
    return c.body(new Uint8Array(raw), 200, {
      "Content-Type": "message/rfc822",
      ...(download
        ? {
            "Content-Disposition": attachmentDisposition(`${c.req.param("id")}.eml`, "message.eml"),
          }
        : {}),
    });
  });

  app.get("/:id/attachments/:aid", async (c) => {
    const attachment = await store.attachment(c.req.param("id"), c.req.param("aid"));
    if (!attachment)
      throw new MailproofError(
        "NOT_FOUND",
        `no attachment "${c.req.param("aid")}" on message "${c.req.param("id")}"`,
      );
    return c.body(
      new Uint8Array(attachment.content),
      200,
      attachmentHeaders(
        attachment.contentType,
        attachment.filename,
        `attachment-${c.req.param("aid")}`,
      ),
    );
  });

  return app;
}

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");
