import type { Context } from "hono";
import { mailboxQuery } from "../mailboxes/login-scope.js";
import { normalizeMailbox } from "../mailboxes/assign.js";
import { parseQuery, type Query } from "../store/query.js";

interface SearchParams {
  query: Query;
  /** The search as the caller wrote it, `?mailbox=` included, for messages that quote it. */
  text: string;
  /** The `?mailbox=` asked for, normalised; null when absent. */
  mailbox: string | null;
}

/**
 * `?query=` and `?mailbox=` of a list, wait, delete or events request: `?mailbox=team-a` is the
 * term `mailbox:team-a` ANDed with the query, so a client scoped to one mailbox can pass the
 * user's search through untouched.
 */
export function searchParams(c: Context): SearchParams {
  const queryText = c.req.query("query") ?? "";
  const mailbox = normalizeMailbox(c.req.query("mailbox"));
  const query = parseQuery(queryText);
  if (mailbox === null) return { query, text: queryText, mailbox };
  return {
    query: { terms: [...query.terms, ...mailboxQuery(mailbox).terms] },
    text: [queryText, `mailbox:${JSON.stringify(mailbox)}`].filter(Boolean).join(" "),
    mailbox,
  };
}
