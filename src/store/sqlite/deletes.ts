import type { Database } from "better-sqlite3";
import type { Query } from "../query.js";
import type { Store } from "../store.js";
import { compileWhere } from "./where.js";

type DeleteMethods = Pick<Store, "delete" | "deleteIds" | "prune">;

/** Deleting by search, by id, and retention (the newest `max` kept); each returns the ids deleted. */
export function createSqliteDeletes(db: Database): DeleteMethods {
  const statements = {
    pruneBelow: db.prepare("SELECT id FROM messages ORDER BY id DESC LIMIT 1 OFFSET ?"),
    deleteBelow: db.prepare("DELETE FROM messages WHERE id < ? RETURNING id"),
    deleteId: db.prepare("DELETE FROM messages WHERE id = ? RETURNING id"),
  };
  const deleteWhere = db.transaction((query: Query): string[] => {
    const where = compileWhere(query);
    const rows = db
      .prepare(
        `DELETE FROM messages WHERE seq IN (SELECT m.seq FROM messages m WHERE ${where.sql}) RETURNING id`,
      )
      .all(...where.params) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  });
  const deleteIds = db.transaction((list: string[]) =>
    list.flatMap((id) => (statements.deleteId.all(id) as Array<{ id: string }>).map((r) => r.id)),
  );
  return {
    async delete(query) {
      return deleteWhere(query);
    },
    async deleteIds(ids) {
      return deleteIds(ids);
    },
    async prune(max) {
      if (max <= 0) return [];
      const oldestKept = statements.pruneBelow.get(max - 1) as { id: string } | undefined;
      if (!oldestKept) return [];
      return (statements.deleteBelow.all(oldestKept.id) as Array<{ id: string }>).map((r) => r.id);
    },
  };
}
