import type { Context } from "hono";
import type { ApiDeps } from "../../deps.js";
import { MailproofError } from "../../../core/errors.js";
import type { Message } from "../../../core/types.js";
import { parseQuery, type Query } from "../../../store/query.js";
import { offsetPage } from "../paging.js";

/** What every Mailpit route file shares: the deps and the request helpers Mailpit's API needs. */
export interface MailpitContext {
  deps: ApiDeps;
  /** Mailpit answers mutations with the plain text "ok". */
  ok: (c: Context) => Response;
  readJson: (c: Context) => Promise<Record<string, unknown>>;
  page: (query: Query, start: number, limit: number) => ReturnType<typeof offsetPage>;
  /** `{ID}` may be `latest`: the newest message, or the newest matching `?query=`. */
  resolveMessage: (id: string, queryText: string | undefined) => Promise<Message>;
  resolve: (c: Context) => Promise<Message>;
}

export function createMailpitContext(deps: ApiDeps): MailpitContext {
  const { store } = deps;
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
  return {
    deps,
    ok: (c) => c.text("ok"),
    readJson: async (c) => {
      const text = await c.req.text();
      if (!text.trim()) return {};
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = null;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value))
        throw new MailproofError("INVALID_JSON", "the request body must be a JSON object");
      return value as Record<string, unknown>;
    },
    page: (query, start, limit) => offsetPage(store, query, start, limit),
    resolveMessage,
    resolve: (c) => resolveMessage(c.req.param("id")!, c.req.query("query")),
  };
}
