import type pg from "pg";
import type { Logger } from "pino";
import type { NewMessage } from "../store.js";
import { MESSAGE_COLUMNS, messagePlaceholders, messageValues, recipientRows } from "./rows.js";
import { noNul } from "./where.js";

/** PostgreSQL's Bind message carries at most 65535 parameters. */
const MAX_PARAMS = 60_000;
/** Bytes of raw messages and attachments sent in one INSERT. */
const MAX_CHUNK_BYTES = 32 * 1024 * 1024;

/**
 * A batch is one transaction and `insert` resolves after its COMMIT returns, which with
 * PostgreSQL's default `synchronous_commit = on` means the WAL is flushed: the ack the caller
 * then gives (SMTP 250) is durable.
 */
export function createPostgresInsert(
  pool: pg.Pool,
  logger: Logger,
): { insert(batch: NewMessage[]): Promise<void> } {
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
        .catch((rollbackErr: unknown) => logger.error({ err: rollbackErr }, "ROLLBACK failed"));
      throw err;
    } finally {
      db.release();
    }
  };
  return {
    async insert(batch) {
      if (batch.length > 0) await transaction((db) => insertBatch(db, batch));
    },
  };
}

/** Messages, their raw bytes, attachments and recipients, in as few INSERTs as the budgets allow. */
async function insertBatch(db: pg.PoolClient, batch: NewMessage[]): Promise<void> {
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
}

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
