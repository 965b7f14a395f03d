import type pg from "pg";
import type { ListOptions, ListResult, Store } from "../store.js";
import { SUMMARY_COLUMNS, toSummaryRow, type SummaryRow } from "./rows.js";
import { compileWhere, param, type Params } from "./where.js";

const MAX_PAGE = 1000;
/** Above this many matches a listing walks the messages by id instead of sorting the matches. */
const DENSE_MATCHES = 2000;

type ListingMethods = Pick<Store, "list" | "tags" | "mailboxes">;

/** Pages of message summaries, newest first, and the tags and mailboxes with their counts. */
export function createPostgresListing(pool: pg.Pool): ListingMethods {
  return {
    async list({ query, limit, before }: ListOptions): Promise<ListResult> {
      const pageSize = Math.max(1, Math.min(limit, MAX_PAGE));
      const countParams: Params = [];
      const count = await pool.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM messages m WHERE ${compileWhere(query, countParams)}`,
        countParams,
      );
      const total = count.rows[0].n;
      const params: Params = [];
      let where = compileWhere(query, params);
      if (before) where += ` AND m.id < ${param(params, before)}`;
      const take = param(params, pageSize + 1);
      // The count says how to find the page, as in the SQLite store. Many matches: walk the
      // messages newest first, which meets a page of them soon. Few: PostgreSQL would often still
      // walk (it guesses hundreds of matches for a rare phrase or address, and then expects a
      // page of them near the top) and test all 100k rows; collecting the matches through their
      // indexes (OFFSET 0 keeps that subquery planned on its own) and sorting them finds them fast.
      const matches =
        total > DENSE_MATCHES
          ? where
          : `m.id IN (SELECT id FROM (SELECT m.id FROM messages m WHERE ${where} OFFSET 0) hits ORDER BY id DESC LIMIT ${take})`;
      const page = await pool.query<SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE ${matches} ORDER BY m.id DESC LIMIT ${take}`,
        params,
      );
      const rows = page.rows.slice(0, pageSize);
      return {
        messages: rows.map(toSummaryRow),
        total,
        next: page.rows.length > pageSize ? rows[rows.length - 1].id : null,
      };
    },
    async tags() {
      // jsonb refuses the \u0000 escape JSON.stringify writes for NUL: it reads as U+FFFD, as in noNul().
      const { rows } = await pool.query<{ tag: string; count: number }>(
        String.raw`SELECT t.tag, count(*)::integer AS count FROM messages m, jsonb_array_elements_text(replace(m.tags, '\u0000', '\ufffd')::jsonb) AS t(tag)
         WHERE m.tags <> '[]' GROUP BY t.tag ORDER BY t.tag COLLATE "C"`,
      );
      return rows;
    },
    async mailboxes() {
      const { rows } = await pool.query<{ name: string; count: number }>(
        'SELECT mailbox AS name, count(*)::integer AS count FROM messages GROUP BY mailbox ORDER BY mailbox COLLATE "C"',
      );
      return rows;
    },
  };
}
