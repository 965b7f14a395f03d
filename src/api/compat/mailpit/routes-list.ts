import { Hono, type Context } from "hono";
import { intParam } from "../../params.js";
import { MailproofError } from "../../../core/errors.js";
import { snippetOf } from "../../../core/summary.js";
import { parseQuery } from "../../../store/query.js";
import type { MailpitContext } from "./context.js";
import { unreadCount } from "./routes-info.js";
import { listItem } from "./shapes.js";

/** The message list: `/messages` and `/search` (list, mark read, delete). */
export function listRoutes(ctx: MailpitContext): Hono {
  const { deps, ok, readJson, page } = ctx;
  const { store, events } = deps;
  const api = new Hono();

  const listResponse = async (c: Context, queryText: string) => {
    const start = intParam(c.req.query("start"), "start", 0, 0, 1_000_000);
    const limit = intParam(c.req.query("limit"), "limit", 50, 1, 5000);
    const query = parseQuery(queryText);
    const [{ total: matching, messages }, all, unread, matchingUnread, tags] = await Promise.all([
      page(query, start, limit),
      store.count(),
      unreadCount(store),
      store.list({
        query: { terms: [...query.terms, ...parseQuery("is:unread").terms] },
        limit: 1,
      }),
      store.tags(),
    ]);
    return c.json({
      total: all,
      unread,
      count: messages.length,
      messages_count: matching,
      messages_unread: matchingUnread.total,
      start,
      tags: tags.map((t) => t.tag),
      messages: messages.map((m) => listItem(m, snippetOf(m))),
    });
  };

  api.get("/messages", (c) => listResponse(c, ""));
  api.get("/search", (c) => listResponse(c, c.req.query("query") ?? ""));

  api.put("/messages", async (c) => {
    const body = await readJson(c);
    const read = body.Read === true;
    let ids: string[];
    if (Array.isArray(body.IDs) && body.IDs.length > 0) ids = body.IDs.map(String);
    else
      ids = (
        await page(
          parseQuery(typeof body.Search === "string" ? body.Search : ""),
          0,
          Number.MAX_SAFE_INTEGER,
        )
      ).messages.map((m) => m.id);
    await Promise.all(ids.map((id) => store.update(id, { read })));
    return ok(c);
  });

  api.delete("/messages", async (c) => {
    const body = await readJson(c);
    if (Array.isArray(body.IDs) && body.IDs.length > 0) {
      const deleted = await store.deleteIds(body.IDs.map(String));
      if (deleted.length > 0) events.emit("message.deleted", { ids: deleted });
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

  return api;
}
