import type Database from "better-sqlite3";

/**
 * Versioned schema. Append a migration, never edit a released one: databases opened with
 * `--db` outlive upgrades.
 */
const migrations: string[] = [
  `
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    received_at INTEGER NOT NULL,
    source_kind TEXT NOT NULL,
    message_id TEXT,
    subject TEXT,
    from_address TEXT,
    from_name TEXT,
    attachment_count INTEGER NOT NULL,
    size INTEGER NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]',
    dkim TEXT,
    spf TEXT,
    dmarc TEXT,
    finding_count INTEGER NOT NULL DEFAULT 0,
    summary TEXT NOT NULL,
    analysis TEXT NOT NULL
  );
  -- The parsed message lives apart from the row that changes (analysis, read, tags), so those
  -- updates and list scans never touch a large body.
  CREATE TABLE bodies (
    seq INTEGER PRIMARY KEY REFERENCES messages(seq) ON DELETE CASCADE,
    body TEXT NOT NULL
  );
  CREATE INDEX messages_message_id ON messages(message_id);
  CREATE INDEX messages_from_address ON messages(from_address);
  CREATE TABLE raw (
    seq INTEGER PRIMARY KEY REFERENCES messages(seq) ON DELETE CASCADE,
    data BLOB NOT NULL
  );
  CREATE TABLE attachments (
    seq INTEGER NOT NULL REFERENCES messages(seq) ON DELETE CASCADE,
    aid TEXT NOT NULL,
    filename TEXT,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (seq, aid)
  );
  CREATE TABLE recipients (
    seq INTEGER NOT NULL REFERENCES messages(seq) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT
  );
  CREATE INDEX recipients_address ON recipients(address);
  CREATE INDEX recipients_seq ON recipients(seq);
  -- Contentless: the text already lives in messages.body; the index only needs the words.
  CREATE VIRTUAL TABLE search USING fts5(text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
  CREATE TRIGGER messages_delete_search AFTER DELETE ON messages BEGIN
    DELETE FROM search WHERE rowid = old.seq;
  END;
  `,
  // SMTP session transcripts. The link table answers "which session carried this message".
  `
  CREATE TABLE sessions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
  );
  CREATE TABLE session_messages (
    session_seq INTEGER NOT NULL REFERENCES sessions(seq) ON DELETE CASCADE,
    message_id TEXT NOT NULL
  );
  CREATE INDEX session_messages_message ON session_messages(message_id);
  CREATE INDEX session_messages_session ON session_messages(session_seq);
  `,
  // Partial to:/cc: values are found through trigrams instead of a scan of every recipient row
  // (50 ms at 100k messages). One row per message, rowid = seq: the addresses and names that
  // to: searches (to, bcc, envelope) and those cc: searches, one per line, lower-cased like the
  // recipients rows. case_sensitive keeps the match a plain substring test, as instr() was.
  `
  CREATE VIRTUAL TABLE recipient_grams USING fts5(to_list, cc_list, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1');
  INSERT INTO recipient_grams (rowid, to_list, cc_list)
    SELECT seq,
      coalesce(group_concat(CASE WHEN kind != 'cc' THEN address || char(10) || coalesce(name, '') END, char(10)), ''),
      coalesce(group_concat(CASE WHEN kind = 'cc' THEN address || char(10) || coalesce(name, '') END, char(10)), '')
    FROM recipients GROUP BY seq;
  CREATE TRIGGER messages_delete_recipient_grams AFTER DELETE ON messages BEGIN
    DELETE FROM recipient_grams WHERE rowid = old.seq;
  END;
  `,
  // Partial from: and subject: values scan these narrow covering indexes instead of the table,
  // whose rows carry the summary and analysis JSON (25 → 3 ms at 100k messages).
  `
  DROP INDEX messages_from_address;
  CREATE INDEX messages_from ON messages(from_address, from_name);
  CREATE INDEX messages_subject ON messages(subject);
  `,
  // reply-to: and addressed: search Reply-To addresses, kept as recipients rows of their own kind.
  `
  INSERT INTO recipients (seq, kind, address, name)
    SELECT b.seq, 'reply-to', lc(json_extract(r.value, '$.address')), lc(json_extract(r.value, '$.name'))
    FROM bodies b, json_each(b.body, '$.replyTo') r;
  `,
  // --mailbox-by: the mailbox each message is filed in; messages stored before it are "default".
  `
  ALTER TABLE messages ADD COLUMN mailbox TEXT NOT NULL DEFAULT 'default';
  CREATE INDEX messages_mailbox ON messages(mailbox);
  `,
  // IMAP UIDs are seq, which must never be reused (RFC 3501 §2.3.1.1): SQLite would hand out a
  // deleted top rowid again, so inserts take the next value of this high-water mark instead.
  // UIDVALIDITY is the database's creation time, so a new database never matches a client's cache.
  `
  CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT OR IGNORE INTO counters (name, value) SELECT 'seq', coalesce(max(seq), 0) FROM messages;
  INSERT OR IGNORE INTO counters (name, value) VALUES ('uidvalidity', CAST(strftime('%s', 'now') AS INTEGER));
  CREATE TRIGGER IF NOT EXISTS messages_seq_high AFTER INSERT ON messages BEGIN
    UPDATE counters SET value = new.seq WHERE name = 'seq' AND value < new.seq;
  END;
  `,
];

export function migrate(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = db.prepare("SELECT version FROM schema_version").get() as
    { version: number } | undefined;
  let version = row?.version ?? 0;
  if (version > migrations.length) {
    throw new Error(
      `database schema version ${version} is newer than this mailproof (${migrations.length}); upgrade mailproof`,
    );
  }
  // An up-to-date database is not written on start (a full disk then still serves reads).
  if (version === migrations.length) return;
  const apply = db.transaction(() => {
    for (; version < migrations.length; version++) db.exec(migrations[version]);
    db.prepare("DELETE FROM schema_version").run();
    db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(version);
  });
  apply();
}
