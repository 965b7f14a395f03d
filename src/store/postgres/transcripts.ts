import type pg from "pg";
import type { SessionTranscript } from "../../core/transcripts.js";
import type { Store } from "../store.js";

const MAX_PAGE = 1000;

type SessionMethods = Pick<Store, "saveSession" | "getSession" | "listSessions" | "pruneSessions">;

/**
 * SMTP session transcripts, as in SQLite: one JSON body per session (text, not jsonb: jsonb
 * refuses the \u0000 escape a client's bytes may produce) and a link row per captured message.
 */
export function createPostgresTranscripts(pool: pg.Pool): SessionMethods {
  return {
    async saveSession(session) {
      await pool.query(
        `WITH s AS (INSERT INTO sessions (id, body) VALUES ($1, $2))
         INSERT INTO session_messages (session_id, message_id) SELECT $1, unnest($3::text[])`,
        [session.id, JSON.stringify(session), session.messageIds],
      );
    },
    async getSession(id) {
      const { rows } = await pool.query<{ body: string }>(
        "SELECT body FROM sessions WHERE id = $1",
        [id],
      );
      return rows[0] ? (JSON.parse(rows[0].body) as SessionTranscript) : null;
    },
    async listSessions({ messageId, limit, before }) {
      const pageSize = Math.max(1, Math.min(limit, MAX_PAGE));
      const where: string[] = [];
      const params: unknown[] = [];
      if (messageId) {
        params.push(messageId);
        where.push(
          `s.id IN (SELECT session_id FROM session_messages WHERE message_id = $${params.length})`,
        );
      }
      if (before) {
        params.push(before);
        where.push(`s.id < $${params.length}`);
      }
      params.push(pageSize + 1);
      const sql = `SELECT s.id, s.body FROM sessions s ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY s.id DESC LIMIT $${params.length}`;
      const { rows } = await pool.query<{ id: string; body: string }>(sql, params);
      const page = rows.slice(0, pageSize);
      return {
        sessions: page.map((r) => JSON.parse(r.body) as SessionTranscript),
        next: rows.length > pageSize ? page[page.length - 1].id : null,
      };
    },
    async pruneSessions(max) {
      if (max <= 0) return 0;
      const { rowCount } = await pool.query(
        "DELETE FROM sessions WHERE id < (SELECT id FROM sessions ORDER BY id DESC LIMIT 1 OFFSET $1)",
        [max - 1],
      );
      return rowCount ?? 0;
    },
  };
}
