import pg from "pg";
import type { Logger } from "pino";
import { MailproofError } from "../../core/errors.js";

/**
 * Versioned schema. Append a migration, never edit a released one: the database outlives
 * upgrades and is shared by every instance. Ids sort bytewise (`COLLATE "C"`) so that keyset
 * pagination and `firstAfter` order them exactly as SQLite and the id generator do, whatever
 * the database's locale. Lower-cased copies of the searchable text are computed in JavaScript
 * (`*_lc` columns) because PostgreSQL's lower() folds by the database's ctype (ASCII only under
 * the C locale), while query.ts folds with toLowerCase().
 */
const migrations: string[] = [
  `
  CREATE TABLE messages (
    id text COLLATE "C" PRIMARY KEY,
    received_at bigint NOT NULL,
    source_kind text NOT NULL,
    message_id_lc text,
    subject_lc text,
    from_address text,
    from_name_lc text,
    attachment_count integer NOT NULL,
    size bigint NOT NULL,
    read boolean NOT NULL DEFAULT false,
    tags text NOT NULL DEFAULT '[]',
    tags_lc text[] NOT NULL DEFAULT '{}',
    dkim text,
    spf text,
    dmarc text,
    finding_count integer NOT NULL DEFAULT 0,
    summary text NOT NULL,
    body text NOT NULL,
    analysis text NOT NULL,
    search_words text NOT NULL,
    search_vector tsvector
  );
  CREATE INDEX messages_message_id ON messages (message_id_lc);
  CREATE INDEX messages_from_address ON messages (from_address);
  CREATE INDEX messages_search ON messages USING gin (search_vector);
  -- Messages whose word list is too large for a tsvector (1 MB) are found by this index instead.
  CREATE INDEX messages_search_unindexed ON messages (id) WHERE search_vector IS NULL;
  CREATE TABLE raw (
    id text COLLATE "C" PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    data bytea NOT NULL
  );
  CREATE TABLE attachments (
    message_id text COLLATE "C" NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    aid text NOT NULL,
    filename text,
    content_type text NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (message_id, aid)
  );
  -- Mail is mostly compressed already (images, PDFs, base64): skip TOAST compression on write.
  ALTER TABLE raw ALTER COLUMN data SET STORAGE EXTERNAL;
  ALTER TABLE attachments ALTER COLUMN data SET STORAGE EXTERNAL;
  CREATE TABLE recipients (
    message_id text COLLATE "C" NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    kind text NOT NULL,
    address text NOT NULL,
    name_lc text
  );
  CREATE INDEX recipients_address ON recipients (address);
  CREATE INDEX recipients_message ON recipients (message_id);
  `,
  // SMTP session transcripts. The link table answers "which session carried this message".
  `
  CREATE TABLE sessions (
    id text COLLATE "C" PRIMARY KEY,
    body text NOT NULL
  );
  CREATE TABLE session_messages (
    session_id text COLLATE "C" NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    message_id text COLLATE "C" NOT NULL
  );
  CREATE INDEX session_messages_message ON session_messages (message_id);
  CREATE INDEX session_messages_session ON session_messages (session_id);
  `,
  // reply-to: and addressed: search Reply-To addresses, kept as recipients rows of their own kind.
  // lower() folds ASCII only under the C locale; new rows are folded in JavaScript (rows.ts).
  String.raw`
  INSERT INTO recipients (message_id, kind, address, name_lc)
    SELECT m.id, 'reply-to', lower(r->>'address'), lower(r->>'name')
    FROM messages m, jsonb_array_elements((replace(m.body, '\u0000', '\ufffd')::jsonb)->'replyTo') r;
  `,
  // --mailbox-by: the mailbox each message is filed in; messages stored before it are "default".
  `
  ALTER TABLE messages ADD COLUMN mailbox text NOT NULL DEFAULT 'default';
  CREATE INDEX messages_mailbox ON messages (mailbox);
  `,
  // IMAP UIDs (RFC 3501 §2.3.1.1): a sequence never hands a number out twice. Existing messages
  // are numbered in id (arrival) order. UIDVALIDITY is the database's creation time.
  `
  CREATE SEQUENCE messages_uid_seq;
  ALTER TABLE messages ADD COLUMN uid bigint;
  UPDATE messages m SET uid = o.n FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM messages) o WHERE m.id = o.id;
  SELECT setval('messages_uid_seq', greatest((SELECT max(uid) FROM messages), 1), (SELECT count(*) > 0 FROM messages));
  ALTER TABLE messages ALTER COLUMN uid SET DEFAULT nextval('messages_uid_seq'), ALTER COLUMN uid SET NOT NULL;
  ALTER SEQUENCE messages_uid_seq OWNED BY messages.uid;
  CREATE UNIQUE INDEX messages_uid ON messages (uid);
  CREATE TABLE mailproof_uidvalidity (value bigint NOT NULL);
  INSERT INTO mailproof_uidvalidity (value) VALUES (extract(epoch FROM now())::bigint);
  `,
];

/**
 * Trigram indexes for the substring terms (partial `to:`, `cc:`, `from:`, `subject:`), which
 * where.ts writes as LIKE '%…%' so that these can serve them: at 100k messages a selective one
 * takes a few ms instead of a scan of every row (25–75 ms). They need the pg_trgm extension
 * (PostgreSQL's contrib, trusted since PostgreSQL 13: a database owner may create it). They are
 * not a numbered migration: a database without the extension works, only slower, and gets them
 * on the first start after someone installs it. `ops` is the operator class, schema-qualified:
 * the extension may live in another schema than ours.
 */
const trigramIndexes = (ops: string) => `
  CREATE INDEX IF NOT EXISTS recipients_address_trgm ON recipients USING gin (address ${ops});
  CREATE INDEX IF NOT EXISTS recipients_name_trgm ON recipients USING gin (name_lc ${ops});
  CREATE INDEX IF NOT EXISTS messages_from_address_trgm ON messages USING gin (from_address ${ops});
  CREATE INDEX IF NOT EXISTS messages_from_name_trgm ON messages USING gin (from_name_lc ${ops});
  CREATE INDEX IF NOT EXISTS messages_subject_trgm ON messages USING gin (subject_lc ${ops});
`;

/** The schema pg_trgm is installed in, creating it if it is missing and allowed; null without it. */
async function trigramSchema(client: pg.ClientBase, logger: Logger): Promise<string | null> {
  const installed = () =>
    client.query<{ schema: string }>(
      "SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
    );
  const { rows } = await installed();
  if (rows.length > 0) return rows[0].schema;
  // In a savepoint: a refusal must not abort the migration's transaction.
  await client.query("SAVEPOINT trigrams");
  try {
    await client.query("CREATE EXTENSION pg_trgm");
    await client.query("RELEASE SAVEPOINT trigrams");
    return (await installed()).rows[0].schema;
  } catch (err) {
    await client.query("ROLLBACK TO SAVEPOINT trigrams");
    logger.warn(
      { err },
      "pg_trgm is not installed and could not be created: substring searches (to:, cc:, from:, subject:) scan every row; CREATE EXTENSION pg_trgm as a database owner and restart to index them",
    );
    return null;
  }
}

/** An arbitrary constant: the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK = 0x6d61696c;

/**
 * Brings the schema up to date. Several instances may start at once against one database: a
 * transaction-scoped advisory lock lets one migrate while the others wait, then find nothing to do.
 */
export async function migrate(client: pg.ClientBase, logger: Logger): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS mailproof_schema (version integer NOT NULL)");
    const { rows } = await client.query<{ version: number }>(
      "SELECT version FROM mailproof_schema",
    );
    let version = rows[0]?.version ?? 0;
    if (version > migrations.length) {
      throw new MailproofError(
        "CONFIG_INVALID",
        `database schema version ${version} is newer than this mailproof (${migrations.length}); upgrade mailproof`,
      );
    }
    for (; version < migrations.length; version++) await client.query(migrations[version]);
    const trigrams = await trigramSchema(client, logger);
    if (trigrams)
      await client.query(trigramIndexes(`${pg.escapeIdentifier(trigrams)}.gin_trgm_ops`));
    await client.query("DELETE FROM mailproof_schema");
    await client.query("INSERT INTO mailproof_schema (version) VALUES ($1)", [version]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  }
}
