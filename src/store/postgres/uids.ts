import type pg from "pg";
import type { Store } from "../store.js";
import { compileWhere, param, type Params } from "./where.js";

type UidMethods = Pick<Store, "uids" | "uidState">;

/** The UIDs POP3 and IMAP number messages by (a sequence column, RFC 3501 §2.3.1.1). */
export function createPostgresUids(pool: pg.Pool): UidMethods {
  return {
    async uids(query, afterUid) {
      const params: Params = [];
      const after = param(params, afterUid);
      const { rows } = await pool.query<{
        uid: string;
        id: string;
        read: boolean;
        size: string;
        received_at: string;
      }>(
        `SELECT m.uid, m.id, m.read, m.size, m.received_at FROM messages m WHERE m.uid > ${after} AND ${compileWhere(query, params)} ORDER BY m.uid`,
        params,
      );
      return rows.map((r) => ({
        uid: Number(r.uid),
        id: r.id,
        read: r.read,
        size: Number(r.size),
        receivedAt: Number(r.received_at),
      }));
    },
    async uidState() {
      const { rows } = await pool.query<{
        validity: string;
        last_value: string;
        is_called: boolean;
      }>(
        "SELECT (SELECT value FROM mailproof_uidvalidity) AS validity, last_value, is_called FROM messages_uid_seq",
      );
      const last = Number(rows[0].last_value);
      return { validity: Number(rows[0].validity), next: rows[0].is_called ? last + 1 : last };
    },
  };
}
