import type { Database } from "better-sqlite3";
import type { ListOptions, ListResult, Store } from "../store.js";
import { SUMMARY_COLUMNS, toSummaryRow, type SummaryRow } from "./rows.js";
import { compileWhere } from "./where.js";

type ListingMethods = Pick<Store, "list" | "tags" | "mailboxes">;

const MAX_PAGE = 1000;
/** Above this many matches a listing walks the messages by id instead of sorting the matches. */
const DENSE_MATCHES = 2000;

/** Pages of message summaries for a search, and the tags and mailboxes with their counts. */
export function createSqliteListing(db: Database): ListingMethods {
  const statements = {
    tags: db.prepare(
      "SELECT t.value AS tag, count(*) AS count FROM messages m, json_each(m.tags) t WHERE m.tags != '[]' GROUP BY t.value ORDER BY t.value",
    ),
    mailboxes: db.prepare(
      "SELECT mailbox AS name, count(*) AS count FROM messages GROUP BY mailbox ORDER BY mailbox",
    ),
  };
  return {
    async list({ query, limit, before }: ListOptions): Promise<ListResult> {
      const where = compileWhere(query);
      const pageSize = Math.max(1, Math.min(limit, MAX_PAGE));
      const counted = where.set
        ? `SELECT count(*) AS n FROM (${where.set})`
        : `SELECT count(*) AS n FROM messages m WHERE ${where.sql}`;
      const { n } = db.prepare(counted).get(...where.params) as { n: number };
      // The count says how to find the page. Few matches: collect them (through indexes, the search
      // tables or a scan of a covering index) and sort them. Many: walk the messages newest first
      // and test each, which meets a page of matches soon.
      const match =
        n > DENSE_MATCHES
          ? compileWhere(query, { dense: true })
          : {
              sql: `m.seq IN (SELECT m.seq FROM messages m WHERE ${where.sql})`,
              params: where.params,
            };
      const cursor = before ? { sql: " AND m.id < ?", params: [before] } : { sql: "", params: [] };
      const rows = db
        .prepare(
          `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE ${match.sql}${cursor.sql} ORDER BY m.id DESC LIMIT ?`,
        )
        .all(...match.params, ...cursor.params, pageSize + 1) as SummaryRow[];
      const page = rows.slice(0, pageSize);
      return {
        messages: page.map(toSummaryRow),
        total: n,
        next: rows.length > pageSize ? page[page.length - 1].id : null,
      };
    },
    async tags() {
      return statements.tags.all() as Array<{ tag: string; count: number }>;
    },
    async mailboxes() {
      return statements.mailboxes.all() as Array<{ name: string; count: number }>;
    },
  };
}
