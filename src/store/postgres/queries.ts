import type pg from "pg";
import type { Store, StoredAttachment } from "../store.js";
import { FULL_COLUMNS, toMessage, type FullRow } from "./rows.js";
import { compileWhere, param, type Params } from "./where.js";

type ReadMethods = Pick<
  Store,
  "get" | "raw" | "attachment" | "firstAfter" | "count" | "pendingAnalysis"
>;

/** One message (its fields, raw bytes, an attachment) and the counts about all of them. */
export function createPostgresQueries(pool: pg.Pool): ReadMethods {
  return {
    async get(id) {
      const { rows } = await pool.query<FullRow>(
        `SELECT ${FULL_COLUMNS} FROM messages m WHERE m.id = $1`,
        [id],
      );
      return rows[0] ? toMessage(rows[0]) : null;
    },
    async raw(id) {
      const { rows } = await pool.query<{ data: Buffer }>("SELECT data FROM raw WHERE id = $1", [
        id,
      ]);
      return rows[0]?.data ?? null;
    },
    async attachment(id, aid): Promise<StoredAttachment | null> {
      const { rows } = await pool.query<{
        filename: string | null;
        content_type: string;
        data: Buffer;
      }>(
        "SELECT filename, content_type, data FROM attachments WHERE message_id = $1 AND aid = $2",
        [id, aid],
      );
      return rows[0]
        ? { filename: rows[0].filename, contentType: rows[0].content_type, content: rows[0].data }
        : null;
    },
    async firstAfter(query, afterId) {
      const params: Params = [];
      const after = param(params, afterId);
      const sql = `SELECT ${FULL_COLUMNS} FROM messages m WHERE m.id > ${after} AND ${compileWhere(query, params)} ORDER BY m.id ASC LIMIT 1`;
      const { rows } = await pool.query<FullRow>(sql, params);
      return rows[0] ? toMessage(rows[0]) : null;
    },
    async count() {
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::integer AS n FROM messages",
      );
      return rows[0].n;
    },
    async pendingAnalysis(limit) {
      // The analysis column is JSON text; a LIKE on its head avoids parsing every row.
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM messages WHERE analysis LIKE '{"status":"pending"%' ORDER BY id LIMIT $1`,
        [limit],
      );
      return rows.map((row) => row.id);
    },
  };
}
