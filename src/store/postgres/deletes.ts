import type pg from "pg";
import type { Store } from "../store.js";
import { compileWhere, type Params } from "./where.js";

type DeleteMethods = Pick<Store, "delete" | "deleteIds" | "prune">;

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

/** Deletes by query, by id, and the retention by count (`--max-messages`). */
export function createPostgresDeletes(pool: pg.Pool): DeleteMethods {
  return {
    async delete(query) {
      const params: Params = [];
      const { rows } = await pool.query<{ id: string }>(
        `DELETE FROM messages m WHERE ${compileWhere(query, params)} RETURNING m.id`,
        params,
      );
      return ids(rows).sort();
    },
    async deleteIds(list) {
      if (list.length === 0) return [];
      const { rows } = await pool.query<{ id: string }>(
        "DELETE FROM messages WHERE id = ANY($1::text[]) RETURNING id",
        [list],
      );
      const deleted = new Set(ids(rows));
      // In the caller's order, each once, like the SQLite store.
      return [...new Set(list)].filter((id) => deleted.has(id));
    },
    async prune(max) {
      if (max <= 0) return [];
      // The id of the max-th newest message is the oldest one kept.
      const { rows } = await pool.query<{ id: string }>(
        "DELETE FROM messages WHERE id < (SELECT id FROM messages ORDER BY id DESC OFFSET $1 LIMIT 1) RETURNING id",
        [max - 1],
      );
      return ids(rows).sort();
    },
  };
}
