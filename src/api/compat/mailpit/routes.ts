import { Hono, type Context } from "hono";
import type { ApiDeps } from "../../deps.js";
import { attachmentHeaders } from "../../attachment-headers.js";
import { intParam } from "../../params.js";
import { MailproofError } from "../../../core/errors.js";
import { checkTags } from "../../../limits/tags.js";
import { snippetOf } from "../../../core/summary.js";
import type { Message } from "../../../core/types.js";
import { recipientsParam, releaseMessage } from "../../../relay/release.js";
import { parseQuery, type Query } from "../../../store/query.js";
import { offsetPage } from "../paging.js";
import type { ChaosBridge } from "./chaos.js";
import { htmlCheck, linkCheck, spamCheck } from "./checks.js";
import { buildSendMessage } from "./send.js";
import { headerMap, listItem, messageSummary } from "./shapes.js";
import type { MailpitStats } from "./stats.js";

const VERSION = "v1.24.0-mailproof";

/**
 * Mailpit's REST API v1 (`/api/v1/…` and `/view/…`), answered from our store, so test suites and
 * clients written for Mailpit (mailpit-api, cypress-mailpit) work unchanged. Mutations answer
 * "ok" as plain text, as Mailpit does.
 */
export interface MailpitExtras {
  stats: MailpitStats;
  /** Maps Mailpit's chaos triggers onto our SMTP fault rules; null when faults are unavailable. */
  chaos: ChaosBridge | null;
  spamAssassin: boolean;
}

export function mailpitRoutes(deps: ApiDeps, { stats, chaos, spamAssassin }: MailpitExtras): { api: Hono; view: Hono } {
  const { store, events } = deps;
  const api = new Hono();
  const ok = (c: Context) => c.text("ok");

  const readJson = async (c: Context): Promise<Record<string, unknown>> => {
    const text = await c.req.text();
    if (!text.trim()) return {};
    try {
      const value = JSON.parse(text);
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
      return value;
    } catch {
      throw new MailproofError("INVALID_JSON", "the request body must be a JSON object");
    }
  };

  const page = (query: Query, start: number, limit: number) => offsetPage(store, query, start, limit);

  const listResponse = async (c: Context, queryText: string) => {
    const start = intParam(c.req.query("start"), "start", 0, 0, 1_000_000);
    const limit = intParam(c.req.query("limit"), "limit", 50, 1, 5000);
    const query = parseQuery(queryText);
    const [{ total: matching, messages }, all, unread, matchingUnread, tags] = await Promise.all([
      page(query, start, limit),
      store.count(),
      store.list({ query: parseQuery("is:unread"), limit: 1 }),
      store.list({ query: { terms: [...query.terms, ...parseQuery("is:unread").terms] }, limit: 1 }),
      store.tags(),
    ]);
    return c.json({
      total: all,
      unread: unread.total,
      count: messages.length,
      messages_count: matching,
      messages_unread: matchingUnread.total,
      start,
      tags: tags.map((t) => t.tag),
      messages: messages.map((m) => listItem(m, snippetOf(m))),
    });
  };

  /** `{ID}` may be `latest`: the newest message, or the newest matching `?query=`. */
  const resolveMessage = async (id: string, queryText: string | undefined): Promise<Message> => {
    if (id === "latest") {
      const [latest] = (await store.list({ query: parseQuery(queryText), limit: 1 })).messages;
      const message = latest ? await store.get(latest.id) : null;
      if (!message) throw new MailproofError("NOT_FOUND", "no message matches");
      return message;
    }
    const message = await store.get(id);
    if (!message) throw new MailproofError("NOT_FOUND", `no message with ID "${id}"`);
    return message;
  };
  const resolve = (c: Context) => resolveMessage(c.req.param("id")!, c.req.query("query"));

  const deleteIds = async (ids: string[]) => {
    const deleted = await store.deleteIds(ids);
    if (deleted.length > 0) events.emit("message.deleted", { ids: deleted });
  };

  api.get("/info", async (c) => {
    const [messages, unread, tags] = await Promise.all([store.count(), store.list({ query: parseQuery("is:unread"), limit: 1 }), store.tags()]);
    return c.json({
      Version: VERSION,
      LatestVersion: VERSION,
      Database: store.kind,
      DatabaseSize: 0,
      Messages: messages,
      Unread: unread.total,
      Tags: Object.fromEntries(tags.map((t) => [t.tag, t.count])),
      RuntimeStats: stats.snapshot(),
    });
  });

  api.get("/webui", (c) =>
    c.json({
      Label: "mailproof",
      MessageRelay: { Enabled: false, SMTPServer: "", ReturnPath: "", AllowedRecipients: "", BlockedRecipients: "", OverrideFrom: "", PreserveMessageIDs: false, RecipientAllowlist: "" },
      SpamAssassin: spamAssassin,
      ChaosEnabled: chaos !== null,
      DuplicatesIgnored: false,
      HideDeleteAllButton: false,
    }),
  );

  api.get("/messages", (c) => listResponse(c, ""));
  api.get("/search", (c) => listResponse(c, c.req.query("query") ?? ""));

  api.put("/messages", async (c) => {
    const body = await readJson(c);
    const read = body.Read === true;
    let ids: string[];
    if (Array.isArray(body.IDs) && body.IDs.length > 0) ids = body.IDs.map(String);
    else ids = (await page(parseQuery(typeof body.Search === "string" ? body.Search : ""), 0, Number.MAX_SAFE_INTEGER)).messages.map((m) => m.id);
    await Promise.all(ids.map((id) => store.update(id, { read })));
    return ok(c);
  });

  api.delete("/messages", async (c) => {
    const body = await readJson(c);
    if (Array.isArray(body.IDs) && body.IDs.length > 0) {
      await deleteIds(body.IDs.map(String));
    } else {
      const deleted = await store.delete({ terms: [] });
      if (deleted.length > 0) events.emit("message.deleted", { ids: "all" });
    }
    // The same request deletes all in MailHog's API, whose clients (plain node:http, no Accept
    // header) parse any body as JSON; Mailpit's clients (fetch) send Accept and get "ok".
    if (!c.req.header("accept")) return c.body(null, 200);
    return ok(c);
  });

  api.delete("/search", async (c) => {
    const query = parseQuery(c.req.query("query"));
    if (query.terms.length === 0) throw new MailproofError("BAD_QUERY", "query is required");
    const deleted = await store.delete(query);
    if (deleted.length > 0) events.emit("message.deleted", { ids: deleted });
    return ok(c);
  });

  api.get("/message/:id", async (c) => c.json(await messageSummary(store, await resolve(c))));
  api.get("/message/:id/headers", async (c) => c.json(headerMap(await resolve(c))));
  api.get("/message/:id/raw", async (c) => {
    const message = await resolve(c);
    const raw = await store.raw(message.id);
    return c.body(new Uint8Array(raw ?? Buffer.alloc(0)), 200, { "Content-Type": "text/plain; charset=utf-8" });
  });

  const part = async (c: Context) => {
    const message = await resolve(c);
    const attachment = await store.attachment(message.id, c.req.param("partId")!);
    if (!attachment) throw new MailproofError("NOT_FOUND", `no part "${c.req.param("partId")}"`);
    return c.body(new Uint8Array(attachment.content), 200, attachmentHeaders(attachment.contentType, attachment.filename, "attachment"));
  };
  api.get("/message/:id/part/:partId", part);
  // Mailpit scales images down; browsers scale the original just as well for a preview.
  api.get("/message/:id/part/:partId/thumb", part);

  // Mailpit answers a release with the plain text "ok".
  api.post("/message/:id/release", async (c) => {
    const message = await resolve(c);
    const body = await readJson(c);
    await releaseMessage({ store, relay: deps.relay ?? null }, message.id, recipientsParam(body.To, "To"));
    return ok(c);
  });

  api.get("/message/:id/html-check", async (c) => c.json(htmlCheck(await resolve(c))));
  api.get("/message/:id/link-check", async (c) => c.json(linkCheck(await resolve(c))));
  api.get("/message/:id/sa-check", async (c) => c.json(spamCheck(await resolve(c), spamAssassin)));

  api.post("/send", async (c) => {
    const input = await buildSendMessage(await readJson(c));
    const message = await deps.ingest({ ...input, source: { kind: "upload", providerMessageId: null } });
    return c.json({ ID: message.id });
  });

  api.get("/tags", async (c) => c.json((await store.tags()).map((t) => t.tag)));
  api.put("/tags", async (c) => {
    const body = await readJson(c);
    const ids = Array.isArray(body.IDs) ? body.IDs.map(String) : [];
    const tags = checkTags(Array.isArray(body.Tags) ? body.Tags.map(String) : [], "Tags");
    await Promise.all(ids.map((id) => store.update(id, { tags })));
    return ok(c);
  });
  const retag = async (tag: string, replace: (tags: string[]) => string[]) => {
    const { messages } = await page({ terms: [{ kind: "field", field: "tag", value: tag.toLowerCase(), negate: false }] }, 0, Number.MAX_SAFE_INTEGER);
    await Promise.all(messages.map((m) => store.update(m.id, { tags: [...new Set(replace(m.tags))] })));
  };
  api.put("/tags/:tag", async (c) => {
    const body = await readJson(c);
    const from = c.req.param("tag");
    const to = typeof body.Name === "string" ? body.Name.trim() : "";
    if (!to) throw new MailproofError("BAD_REQUEST", "Name is required");
    checkTags([to], "Name");
    await retag(from, (tags) => tags.map((t) => (t.toLowerCase() === from.toLowerCase() ? to : t)));
    return ok(c);
  });
  api.delete("/tags/:tag", async (c) => {
    const tag = c.req.param("tag");
    await retag(tag, (tags) => tags.filter((t) => t.toLowerCase() !== tag.toLowerCase()));
    return ok(c);
  });

  api.get("/chaos", (c) => {
    if (!chaos) throw new MailproofError("BAD_REQUEST", "chaos is not available");
    return c.json(chaos.get());
  });
  api.put("/chaos", async (c) => {
    if (!chaos) throw new MailproofError("BAD_REQUEST", "chaos is not available");
    return c.json(chaos.set(await readJson(c)));
  });

  const view = new Hono();
  view.get("/:file", async (c) => {
    const match = /^(.+)\.(html|txt)$/.exec(c.req.param("file"));
    if (!match) throw new MailproofError("NOT_FOUND", "use /view/{ID}.html or /view/{ID}.txt");
    const message = await resolveMessage(match[1], c.req.query("query"));
    if (match[2] === "txt") return c.text(message.text ?? "");
    // Captured HTML may be hostile: served as its own document, it must not run script on our origin.
    return c.html(message.html ?? "", 200, { "Content-Security-Policy": "default-src 'none'; img-src * data: cid:; style-src 'unsafe-inline' *; sandbox" });
  });

  return { api, view };
}
