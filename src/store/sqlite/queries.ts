import type { Database } from "better-sqlite3";
import type { Store, StoredAttachment, UidEntry } from "../store.js";
import { FULL_COLUMNS, toMessage, type FullRow } from "./rows.js";
import { compileWhere } from "./where.js";

type QueryMethods = Pick<
  Store,
  "get" | "raw" | "attachment" | "firstAfter" | "uids" | "uidState" | "count" | "pendingAnalysis"
>;

/** Reads of one message (its JSON, raw bytes, an attachment), IMAP/POP3 UIDs and counts. */
export function createSqliteQueries(db: Database): QueryMethods {
  const statements = {
    full: db.prepare(
      `SELECT ${FULL_COLUMNS} FROM messages m JOIN bodies b ON b.seq = m.seq WHERE m.id = ?`,
    ),
    raw: db.prepare("SELECT r.data FROM raw r JOIN messages m ON m.seq = r.seq WHERE m.id = ?"),
    attachment: db.prepare(
      "SELECT a.filename, a.content_type, a.data FROM attachments a JOIN messages m ON m.seq = a.seq WHERE m.id = ? AND a.aid = ?",
    ),
    uidState: db.prepare(
      "SELECT (SELECT value FROM counters WHERE name = 'uidvalidity') AS validity, (SELECT value + 1 FROM counters WHERE name = 'seq') AS next",
    ),
    count: db.prepare("SELECT count(*) AS n FROM messages"),
    pendingAnalysis: db.prepare(
      "SELECT id FROM messages WHERE json_extract(analysis, '$.status') = 'pending' ORDER BY seq LIMIT ?",
    ),
  };
  return {
    async get(id) {
      const row = statements.full.get(id) as FullRow | undefined;
      return row ? toMessage(row) : null;
    },
    async raw(id) {
      const row = statements.raw.get(id) as { data: Buffer } | undefined;
      return row?.data ?? null;
    },
    async attachment(id, aid): Promise<StoredAttachment | null> {
      const row = statements.attachment.get(id, aid) as
        { filename: string | null; content_type: string; data: Buffer } | undefined;
      return row
        ? { filename: row.filename, contentType: row.content_type, content: row.data }
        : null;
    },
    async firstAfter(query, afterId) {
      const where = compileWhere(query);
      const row = db
        .prepare(
          `SELECT ${FULL_COLUMNS} FROM messages m JOIN bodies b ON b.seq = m.seq WHERE m.id > ? AND ${where.sql} ORDER BY m.id ASC LIMIT 1`,
        )
        .get(afterId, ...where.params) as FullRow | undefined;
      return row ? toMessage(row) : null;
    },
    async uids(query, afterUid) {
      const where = compileWhere(query);
      const rows = db
        .prepare(
          `SELECT m.seq AS uid, m.id, m.read, m.size, m.received_at AS receivedAt FROM messages m WHERE m.seq > ? AND ${where.sql} ORDER BY m.seq`,
        )
        .all(afterUid, ...where.params) as Array<Omit<UidEntry, "read"> & { read: number }>;
      return rows.map((row) => ({ ...row, read: row.read === 1 }));
    },
    async uidState() {
      return statements.uidState.get() as { validity: number; next: number };
    },
    async count() {
      return (statements.count.get() as { n: number }).n;
    },
    async pendingAnalysis(limit) {
      return (statements.pendingAnalysis.all(limit) as Array<{ id: string }>).map((row) => row.id);
    },
  };
}
