import pg from "pg";
import type { Logger } from "pino";
import { MailproofError } from "../../core/errors.js";
import type { Message } from "../../core/types.js";
import { dkimSummary } from "../query.js";
import type { ListOptions, ListResult, NewMessage, Store, StoredAttachment } from "../store.js";
import { migrate } from "./migrations.js";
import { createPostgresTranscripts } from "./transcripts.js";
import {
  FULL_COLUMNS,
  MESSAGE_COLUMNS,
  messagePlaceholders,
  messageValues,
  recipientRows,
  SUMMARY_COLUMNS,
  toMessage,
  toSummaryRow,
  type FullRow,
  type SummaryRow,
} from "./rows.js";
import { withUnavailable } from "./unavailable.js";
import { compileWhere, noNul, param, type Params } from "./where.js";

interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq URL; `?sslmode=` and `?options=` work). */
  connectionString: string;
  logger: Logger;
  /** Connections in the pool. @default 10 */
  poolSize?: number;
}

const MAX_PAGE = 1000;
/** Above this many matches a listing walks the messages by id instead of sorting the matches. */
const DENSE_MATCHES = 2000;
/** PostgreSQL's Bind message carries at most 65535 parameters. */
const MAX_PARAMS = 60_000;
/** Bytes of raw messages and attachments sent in one INSERT. */
const MAX_CHUNK_BYTES = 32 * 1024 * 1024;

/** Splits rows so that each chunk stays under both the parameter and the byte budget. */
function chunk<T>(rows: T[], paramsPerRow: number, bytes: (row: T) => number = () => 0): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const row of rows) {
    const rowBytes = bytes(row);
    if (
      current.length > 0 &&
      ((current.length + 1) * paramsPerRow > MAX_PARAMS || size + rowBytes > MAX_CHUNK_BYTES)
    ) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += rowBytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function valuesList(rowCount: number, width: number): string {
  return Array.from(
    { length: rowCount },
    (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(", ")})`,
  ).join(", ");
}

/**
 * The shared store: several mailproof instances on one PostgreSQL database. A batch is one
 * transaction and `insert` resolves after its COMMIT returns, which with PostgreSQL's default
 * `synchronous_commit = on` means the WAL is flushed: the ack the caller then gives (SMTP 250)
 * is durable. Messages are identified by their time-ordered ids, so instances never need a shared
 * sequence and keyset pagination works across them.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
  });
  // An idle pooled connection that dies (server restart, network) emits here; without a
  // listener Node would crash the process. The pool replaces the connection on next use.
  pool.on("error", (err) => options.logger.error({ err }, "idle PostgreSQL connection failed"));

  const client = await pool.connect().catch(async (err: unknown) => {
    await pool.end();
    const where = new URL(options.connectionString);
    throw new MailproofError(
      "UNAVAILABLE",
      `cannot connect to PostgreSQL at ${where.host}${where.pathname}: ${(err as Error).message}`,
      { cause: err },
    );
  });
  try {
    await migrate(client, options.logger);
  } catch (err) {
    client.release();
    await pool.end();
    throw err;
  }
  client.release();

  const insertBatch = async (db: pg.PoolClient, batch: NewMessage[]) => {
    const width = MESSAGE_COLUMNS.length;
    for (const rows of chunk(batch, width)) {
      const values = rows.flatMap(({ message }) => messageValues(message));
      const placeholders = rows.map((_, i) => messagePlaceholders(i * width + 1)).join(", ");
      await db.query(
        `INSERT INTO messages (${MESSAGE_COLUMNS.join(", ")}) VALUES ${placeholders}`,
        values,
      );
    }
    for (const rows of chunk(batch, 2, (r) => r.raw.length)) {
      await db.query(
        `INSERT INTO raw (id, data) VALUES ${valuesList(rows.length, 2)}`,
        rows.flatMap((r) => [r.message.id, r.raw]),
      );
    }
    const attachments = batch.flatMap(({ message, attachmentContents }) =>
      message.attachments.map(
        (a, i) =>
          [
            message.id,
            a.id,
            a.filename === null ? null : noNul(a.filename),
            noNul(a.contentType),
            attachmentContents[i],
          ] as const,
      ),
    );
    for (const rows of chunk(attachments, 5, (r) => r[4].length)) {
      await db.query(
        `INSERT INTO attachments (message_id, aid, filename, content_type, data) VALUES ${valuesList(rows.length, 5)}`,
        rows.flat(),
      );
    }
    const recipients = recipientRows(batch.map((b) => b.message));
    if (recipients.messageIds.length > 0) {
      await db.query(
        "INSERT INTO recipients (message_id, kind, address, name_lc) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])",
        [recipients.messageIds, recipients.kinds, recipients.addresses, recipients.names],
      );
    }
  };

  const transaction = async <T>(work: (db: pg.PoolClient) => Promise<T>): Promise<T> => {
    const db = await pool.connect();
    try {
      await db.query("BEGIN");
      const result = await work(db);
      await db.query("COMMIT");
      return result;
    } catch (err) {
      await db
        .query("ROLLBACK")
        .catch((rollbackErr: unknown) =>
          options.logger.error({ err: rollbackErr }, "ROLLBACK failed"),
        );
      throw err;
    } finally {
      db.release();
    }
  };

  const summaryOf = async (id: string) => {
    const { rows } = await pool.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE m.id = $1`,
      [id],
    );
    return rows[0] ? toSummaryRow(rows[0]) : null;
  };

  const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

  return withUnavailable({
    kind: "postgres",
    ...createPostgresTranscripts(pool),
    async insert(batch) {
      if (batch.length > 0) await transaction((db) => insertBatch(db, batch));
    },
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
    async firstAfter(query, afterId): Promise<Message | null> {
      const params: Params = [];
      const after = param(params, afterId);
      const sql = `SELECT ${FULL_COLUMNS} FROM messages m WHERE m.id > ${after} AND ${compileWhere(query, params)} ORDER BY m.id ASC LIMIT 1`;
      const { rows } = await pool.query<FullRow>(sql, params);
      return rows[0] ? toMessage(rows[0]) : null;
    },
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
    async setAnalysis(id, analysis) {
      const auth = analysis.auth;
      const dkim = auth ? dkimSummary(auth.dkim.map((d) => d.result)) : null;
      const { rows } = await pool.query<SummaryRow>(
        `UPDATE messages m SET analysis = $1, dkim = $2, spf = $3, dmarc = $4, finding_count = $5 WHERE m.id = $6 RETURNING ${SUMMARY_COLUMNS}`,
        [
          JSON.stringify(analysis),
          dkim,
          auth?.spf?.result ?? null,
          auth?.dmarc?.result ?? null,
          analysis.findings.length,
          id,
        ],
      );
      return rows[0] ? toSummaryRow(rows[0]) : null;
    },
    async update(id, changes) {
      const params: Params = [];
      const sets: string[] = [];
      if (changes.read !== undefined) sets.push(`read = ${param(params, changes.read)}`);
      if (changes.tags !== undefined) {
        sets.push(`tags = ${param(params, JSON.stringify(changes.tags))}`);
        sets.push(
          `tags_lc = ${param(
            params,
            changes.tags.map((t) => noNul(t.toLowerCase())),
          )}::text[]`,
        );
      }
      if (sets.length === 0) return summaryOf(id);
      const { rows } = await pool.query<SummaryRow>(
        `UPDATE messages m SET ${sets.join(", ")} WHERE m.id = ${param(params, id)} RETURNING ${SUMMARY_COLUMNS}`,
        params,
      );
      return rows[0] ? toSummaryRow(rows[0]) : null;
    },
    async count() {
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::integer AS n FROM messages",
      );
      return rows[0].n;
    },
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
    async pendingAnalysis(limit) {
      // The analysis column is JSON text; a LIKE on its head avoids parsing every row.
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM messages WHERE analysis LIKE '{"status":"pending"%' ORDER BY id LIMIT $1`,
        [limit],
      );
      return rows.map((row) => row.id);
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
    async prune(max) {
      if (max <= 0) return [];
      // The id of the max-th newest message is the oldest one kept.
      const { rows } = await pool.query<{ id: string }>(
        "DELETE FROM messages WHERE id < (SELECT id FROM messages ORDER BY id DESC OFFSET $1 LIMIT 1) RETURNING id",
        [max - 1],
      );
      return ids(rows).sort();
    },
    async close() {
      await pool.end();
    },
  });
}
