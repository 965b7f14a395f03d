import { Hono, type Context } from "hono";
import { intParam } from "../../params.js";
import { MailproofError } from "../../../core/errors.js";
import { snippetOf } from "../../../core/summary.js";
import { parseQuery } from "../../../store/query.js";
import type { MailpitContext } from "./context.js";
import { listItem } from "./shapes.js";
import type { MailpitStats } from "./stats.js";

const VERSION = "v1.24.0-mailproof";

/** `/info`, `/webui`, and the message list: `/messages` and `/search` (list, mark read, delete). */
export function listRoutes(
  ctx: MailpitContext,
  {
    stats,
    chaosEnabled,
    spamAssassin,
  }: { stats: MailpitStats; chaosEnabled: boolean; spamAssassin: boolean },
): Hono {
  const { deps, ok, readJson, page } = ctx;
  const { store, events } = deps;
  const api = new Hono();
  const unreadCount = async () =>
    (await store.list({ query: parseQuery("is:unread"), limit: 1 })).total;

  const listResponse = async (c: Context, queryText: string) => {
    const start = intParam(c.req.query("start"), "start", 0, 0, 1_000_000);
    const limit = intParam(c.req.query("limit"), "limit", 50, 1, 5000);
    const query = parseQuery(queryText);
    const [{ total: matching, messages }, all, unread, matchingUnread, tags] = await Promise.all([
      page(query, start, limit),
      store.count(),
      unreadCount(),
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

  api.get("/info", async (c) => {
    const [messages, unread, tags] = await Promise.all([
      store.count(),
      unreadCount(),
      store.tags(),
    ]);
    return c.json({
      Version: VERSION,
      LatestVersion: VERSION,
      Database: store.kind,
      DatabaseSize: 0,
      Messages: messages,
      Unread: unread,
      Tags: Object.fromEntries(tags.map((t) => [t.tag, t.count])),
      RuntimeStats: stats.snapshot(),
    });
  });

  api.get("/webui", (c) => {
    const relay = deps.relay ?? null;
    return c.json({
      Label: "mailproof",
      MessageRelay: {
        Enabled: relay !== null,
        SMTPServer: relay ? new URL(relay.target).host : "",
        ReturnPath: "",
        // Mailpit gives its allow-list as one regular expression; ours is globs.
        AllowedRecipients: relay ? globsToRegex(relay.allow) : "",
        BlockedRecipients: "",
        OverrideFrom: "",
        PreserveMessageIDs: false,
        RecipientAllowlist: relay ? globsToRegex(relay.allow) : "",
      },
      SpamAssassin: spamAssassin,
      ChaosEnabled: chaosEnabled,
      DuplicatesIgnored: false,
      HideDeleteAllButton: false,
    });
  });

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

function globsToRegex(globs: string[]): string {
  if (globs.length === 0) return "";
  const one = (glob: string) => glob.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*");
  return `^(${globs.map(one).join("|")})$`;
}
