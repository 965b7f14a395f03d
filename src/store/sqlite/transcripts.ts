import type Database from "better-sqlite3";
import { BACKGROUND_HOLD_MS, createBatcher } from "../../core/batcher.js";
import type { SessionTranscript } from "../../core/transcripts.js";
import type { Store } from "../store.js";

const MAX_PAGE = 1000;

type SessionMethods = Pick<Store, "saveSession" | "getSession" | "listSessions" | "pruneSessions">;

/**
 * SMTP session transcripts: one JSON body per session, and a link row per captured message.
 * `written` is called after each commit.
 */
export function createSqliteTranscripts(
  db: Database.Database,
  written: () => void,
): SessionMethods & { flushed(): Promise<void> } {
  const statements = {
    insert: db.prepare("INSERT INTO sessions (id, body) VALUES (?, ?)"),
    link: db.prepare("INSERT INTO session_messages (session_seq, message_id) VALUES (?, ?)"),
    get: db.prepare("SELECT body FROM sessions WHERE id = ?"),
    keptFrom: db.prepare("SELECT id FROM sessions ORDER BY id DESC LIMIT 1 OFFSET ?"),
    deleteBelow: db.prepare("DELETE FROM sessions WHERE id < ?"),
  };
  // Sessions close one by one; under load many share one commit. Nobody waits for a session
  // to be saved, so saves are held a little to gather more of them; reads flush them first.
  const save = db.transaction((batch: SessionTranscript[]) => {
    for (const session of batch) {
      const seq = Number(
        statements.insert.run(session.id, JSON.stringify(session)).lastInsertRowid,
      );
      for (const messageId of session.messageIds) statements.link.run(seq, messageId);
    }
  });
  const writes = createBatcher<SessionTranscript>(
    async (batch) => {
      save(batch);
      written();
    },
    { holdWhile: () => true, maxHoldMs: BACKGROUND_HOLD_MS },
  );

  return {
    saveSession: (session) => writes.add(session),
    flushed: () => writes.flushed(),
    async getSession(id) {
      await writes.flushed();
      const row = statements.get.get(id) as { body: string } | undefined;
      return row ? (JSON.parse(row.body) as SessionTranscript) : null;
    },
    async listSessions({ messageId, limit, before }) {
      await writes.flushed();
      const pageSize = Math.max(1, Math.min(limit, MAX_PAGE));
      const where: string[] = [];
      const params: unknown[] = [];
      if (messageId) {
        where.push("s.seq IN (SELECT session_seq FROM session_messages WHERE message_id = ?)");
        params.push(messageId);
      }
      if (before) {
        where.push("s.id < ?");
        params.push(before);
      }
      const sql = `SELECT s.id, s.body FROM sessions s ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY s.id DESC LIMIT ?`;
      const rows = db.prepare(sql).all(...params, pageSize + 1) as Array<{
        id: string;
        body: string;
      }>;
      const page = rows.slice(0, pageSize);
      return {
        sessions: page.map((r) => JSON.parse(r.body) as SessionTranscript),
        next: rows.length > pageSize ? page[page.length - 1].id : null,
      };
    },
    async pruneSessions(max) {
      if (max <= 0) return 0;
      await writes.flushed();
      const oldestKept = statements.keptFrom.get(max - 1) as { id: string } | undefined;
      return oldestKept ? statements.deleteBelow.run(oldestKept.id).changes : 0;
    },
  };
}
