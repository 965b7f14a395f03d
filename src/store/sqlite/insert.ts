import type { Database } from "better-sqlite3";
import { ADDRESS_KINDS, searchedRecipients, searchText } from "../query.js";
import type { NewMessage } from "../store.js";
import { gramLines, messageParams } from "./rows.js";

/**
 * Inserts a batch of messages in one transaction (better-sqlite3 is synchronous, so it runs
 * uninterrupted): each message's row, body, raw bytes, attachments, recipients and its two
 * search indexes (words, and trigrams of the recipients).
 */
export function createInsert(db: Database): (batch: NewMessage[]) => void {
  const statements = {
    message: db.prepare(`INSERT INTO messages
      (seq, id, received_at, source_kind, message_id, subject, from_address, from_name, attachment_count, size, read, tags, mailbox, summary, analysis)
      VALUES ((SELECT value + 1 FROM counters WHERE name = 'seq'), @id, @receivedAt, @sourceKind, @messageId, @subject, @fromAddress, @fromName, @attachmentCount, @size, @read, @tags, @mailbox, @summary, @analysis)`),
    body: db.prepare("INSERT INTO bodies (seq, body) VALUES (?, ?)"),
    raw: db.prepare("INSERT INTO raw (seq, data) VALUES (?, ?)"),
    attachment: db.prepare(
      "INSERT INTO attachments (seq, aid, filename, content_type, data) VALUES (?, ?, ?, ?, ?)",
    ),
    recipient: db.prepare("INSERT INTO recipients (seq, kind, address, name) VALUES (?, ?, ?, ?)"),
    search: db.prepare("INSERT INTO search (rowid, text) VALUES (?, ?)"),
    recipientGrams: db.prepare(
      "INSERT INTO recipient_grams (rowid, to_list, cc_list) VALUES (?, ?, ?)",
    ),
  };
  return db.transaction((batch: NewMessage[]) => {
    for (const { message, raw, attachmentContents } of batch) {
      const { body, ...params } = messageParams(message);
      const seq = Number(statements.message.run(params).lastInsertRowid);
      statements.body.run(seq, body);
      statements.raw.run(seq, raw);
      message.attachments.forEach((a, i) =>
        statements.attachment.run(seq, a.id, a.filename, a.contentType, attachmentContents[i]),
      );
      const recipients = searchedRecipients(message);
      for (const r of recipients) statements.recipient.run(seq, r.kind, r.address, r.name);
      statements.recipientGrams.run(
        seq,
        gramLines(recipients, ADDRESS_KINDS.to),
        gramLines(recipients, ADDRESS_KINDS.cc),
      );
      statements.search.run(seq, searchText(message));
    }
  });
}
