import type { Logger } from "pino";
import { BACKGROUND_HOLD_MS, createBatcher, holdWhileArrivingFast } from "../../core/batcher.js";
import { toSummary } from "../../core/summary.js";
import type { Analysis, Message, MessageSummary } from "../../core/types.js";
import { withMailbox } from "../../mailboxes/assign.js";
import { ADDRESS_KINDS, dkimSummary, searchText, withoutPlusTag, type Query } from "../query.js";
import type {
  ListOptions,
  ListResult,
  NewMessage,
  Store,
  StoredAttachment,
  UidEntry,
} from "../store.js";
import { createCheckpointer } from "./checkpointer.js";
import { migrate } from "./migrations.js";
import { openChecked } from "./open-checked.js";
import { createSqliteTranscripts } from "./transcripts.js";
import { compileWhere } from "./where.js";
import { parseStoredBody } from "../stored-body.js";

interface SqliteStoreOptions {
  /** Database file path. */
  path: string;
  /** Where a failed background checkpoint is reported. */
  logger: Logger;
}

/**
 * WAL pages after which the main connection checkpoints by itself: a backstop for bursts the
 * checkpointer thread cannot keep up with (SQLite's default is 1,000). 40 MB of WAL.
 */
const MAIN_AUTOCHECKPOINT_PAGES = 10_000;
/** A WAL file that grew in a burst is cut back to this when it restarts. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

const MAX_PAGE = 1000;
/** Above this many matches a listing walks the messages by id instead of sorting the matches. */
const DENSE_MATCHES = 2000;

type Row = {
  seq: number;
  id: string;
  read: number;
  tags: string;
  dmarc: string | null;
  finding_count: number;
};
type SummaryRow = Row & { summary: string };
type FullRow = Row & { body: string; analysis: string };
type AnalysisWrite = { id: string; analysis: Analysis; summary: MessageSummary | null };

/**
 * The embedded store: one SQLite file in WAL mode. With synchronous=NORMAL a transaction is
 * in the WAL file (written, not yet fsynced) when it commits: it survives the mailproof process
 * being killed at any moment (kill -9 included), and only an OS crash or power cut before the
 * next checkpoint could lose it. For a sandbox that trade is right: FULL (an fsync per commit)
 * cost 30 % of capture throughput. better-sqlite3 is synchronous, so each batch insert is one
 * uninterrupted transaction.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openChecked(options.path);
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // better-sqlite3 builds SQLite with a 16 MB page cache, which a long run fills and keeps. 4 MB
  // holds the hot pages of the list and index lookups; the OS page cache serves the rest.
  db.pragma("cache_size = -4000");
  db.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.function("lc", { deterministic: true }, (value: unknown) =>
    typeof value === "string" ? value.toLowerCase() : null,
  );
  migrate(db);
  const checkpointer = createCheckpointer({
    path: options.path,
    onError(err) {
      options.logger.error(
        { err },
        "the WAL checkpoint thread failed; checkpoints run on the main thread from now on",
      );
      db.pragma("wal_autocheckpoint = 1000");
    },
  });

  const statements = {
    insertMessage: db.prepare(`INSERT INTO messages
      (seq, id, received_at, source_kind, message_id, subject, from_address, from_name, attachment_count, size, read, tags, mailbox, summary, analysis)
      VALUES ((SELECT value + 1 FROM counters WHERE name = 'seq'), @id, @receivedAt, @sourceKind, @messageId, @subject, @fromAddress, @fromName, @attachmentCount, @size, @read, @tags, @mailbox, @summary, @analysis)`),
    insertBody: db.prepare("INSERT INTO bodies (seq, body) VALUES (?, ?)"),
    insertRaw: db.prepare("INSERT INTO raw (seq, data) VALUES (?, ?)"),
    insertAttachment: db.prepare(
      "INSERT INTO attachments (seq, aid, filename, content_type, data) VALUES (?, ?, ?, ?, ?)",
    ),
    insertRecipient: db.prepare(
      "INSERT INTO recipients (seq, kind, address, name) VALUES (?, ?, ?, ?)",
    ),
    insertSearch: db.prepare("INSERT INTO search (rowid, text) VALUES (?, ?)"),
    insertRecipientGrams: db.prepare(
      "INSERT INTO recipient_grams (rowid, to_list, cc_list) VALUES (?, ?, ?)",
    ),
    getFull: db.prepare(
      "SELECT m.seq, m.id, m.read, m.tags, m.dmarc, m.finding_count, b.body, m.analysis FROM messages m JOIN bodies b ON b.seq = m.seq WHERE m.id = ?",
    ),
    getRaw: db.prepare("SELECT r.data FROM raw r JOIN messages m ON m.seq = r.seq WHERE m.id = ?"),
    getAttachment: db.prepare(
      "SELECT a.filename, a.content_type, a.data FROM attachments a JOIN messages m ON m.seq = a.seq WHERE m.id = ? AND a.aid = ?",
    ),
    setAnalysis: db.prepare(
      "UPDATE messages SET analysis = ?, dkim = ?, spf = ?, dmarc = ?, finding_count = ? WHERE id = ?",
    ),
    count: db.prepare("SELECT count(*) AS n FROM messages"),
    pendingAnalysis: db.prepare(
      "SELECT id FROM messages WHERE json_extract(analysis, '$.status') = 'pending' ORDER BY seq LIMIT ?",
    ),
    tags: db.prepare(
      "SELECT t.value AS tag, count(*) AS count FROM messages m, json_each(m.tags) t WHERE m.tags != '[]' GROUP BY t.value ORDER BY t.value",
    ),
    mailboxes: db.prepare(
      "SELECT mailbox AS name, count(*) AS count FROM messages GROUP BY mailbox ORDER BY mailbox",
    ),
    pruneBelow: db.prepare("SELECT id FROM messages ORDER BY id DESC LIMIT 1 OFFSET ?"),
    deleteBelow: db.prepare("DELETE FROM messages WHERE id < ? RETURNING id"),
    deleteId: db.prepare("DELETE FROM messages WHERE id = ? RETURNING id"),
    uidState: db.prepare(
      "SELECT (SELECT value FROM counters WHERE name = 'uidvalidity') AS validity, (SELECT value + 1 FROM counters WHERE name = 'seq') AS next",
    ),
    summaryById: db.prepare(
      "SELECT seq, id, read, tags, dmarc, finding_count, summary FROM messages WHERE id = ?",
    ),
  };

  const insertMessages = db.transaction((batch: NewMessage[]) => {
    for (const { message, raw, attachmentContents } of batch) {
      const { body, ...params } = messageParams(message);
      const seq = Number(statements.insertMessage.run(params).lastInsertRowid);
      statements.insertBody.run(seq, body);
      statements.insertRaw.run(seq, raw);
      message.attachments.forEach((a, i) =>
        statements.insertAttachment.run(
          seq,
          a.id,
          a.filename,
          a.contentType,
          attachmentContents[i],
        ),
      );
      const recipients = recipientRows(message);
      for (const r of recipients) statements.insertRecipient.run(seq, r.kind, r.address, r.name);
      statements.insertRecipientGrams.run(
        seq,
        gramLines(recipients, ADDRESS_KINDS.to),
        gramLines(recipients, ADDRESS_KINDS.cc),
      );
      statements.insertSearch.run(seq, searchText(message));
    }
  });

  const toSummaryRow = (row: SummaryRow): MessageSummary => ({
    ...withMailbox(JSON.parse(row.summary) as Omit<MessageSummary, "mailbox">),
    read: row.read === 1,
    tags: JSON.parse(row.tags) as string[],
    dmarc: row.dmarc as MessageSummary["dmarc"],
    findingCount: row.finding_count,
  });

  const toMessage = (row: FullRow): Message => ({
    ...parseStoredBody(row.body),
    read: row.read === 1,
    tags: JSON.parse(row.tags) as string[],
    analysis: JSON.parse(row.analysis) as Analysis,
  });

  // Analyses finish one by one; written in groups, many cost one commit (see createBatcher). Under
  // load each is held a little for others to join; alone it is written at once, because
  // /api/wait answers only once a message's analysis is stored.
  const saveAnalyses = db.transaction((batch: AnalysisWrite[]) => {
    for (const write of batch) {
      const auth = write.analysis.auth;
      const dkim = auth ? dkimSummary(auth.dkim.map((d) => d.result)) : null;
      const params = [
        JSON.stringify(write.analysis),
        dkim,
        auth?.spf?.result ?? null,
        auth?.dmarc?.result ?? null,
        write.analysis.findings.length,
        write.id,
      ];
      if (statements.setAnalysis.run(...params).changes === 0) continue;
      const row = statements.summaryById.get(write.id) as SummaryRow | undefined;
      write.summary = row ? toSummaryRow(row) : null;
    }
  });
  const analysisWrites = createBatcher<AnalysisWrite>(
    async (batch) => {
      saveAnalyses(batch);
      checkpointer.written();
    },
    { holdWhile: holdWhileArrivingFast, maxHoldMs: BACKGROUND_HOLD_MS },
  );

  const deleteWhere = db.transaction((query: Query): string[] => {
    const where = compileWhere(query);
    const rows = db
      .prepare(
        `DELETE FROM messages WHERE seq IN (SELECT m.seq FROM messages m WHERE ${where.sql}) RETURNING id`,
      )
      .all(...where.params) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  });

  // eslint-disable-next-line @typescript-eslint/unbound-method -- flushed is an arrow function (transcripts.ts), typed as a method there
  const { flushed: sessionsFlushed, ...sessions } = createSqliteTranscripts(db, () =>
    checkpointer.written(),
  );
  return {
    kind: "sqlite",
    async insert(batch) {
      insertMessages(batch);
      checkpointer.written();
    },
    async get(id) {
      const row = statements.getFull.get(id) as FullRow | undefined;
      return row ? toMessage(row) : null;
    },
    async raw(id) {
      const row = statements.getRaw.get(id) as { data: Buffer } | undefined;
      return row?.data ?? null;
    },
    async attachment(id, aid): Promise<StoredAttachment | null> {
      const row = statements.getAttachment.get(id, aid) as
        { filename: string | null; content_type: string; data: Buffer } | undefined;
      return row
        ? { filename: row.filename, contentType: row.content_type, content: row.data }
        : null;
    },
    async list({ query, limit, before }: ListOptions): Promise<ListResult> {
      const where = compileWhere(query);
      const pageSize = Math.max(1, Math.min(limit, MAX_PAGE));
      const counted = where.set
        ? `SELECT count(*) AS n FROM (${where.set})`
        : `SELECT count(*) AS n FROM messages m WHERE ${where.sql}`;
      const { n } = db.prepare(counted).get(...where.params) as { n: number };
      // The count says how to find the page. Few matches: collect them (through indexes, the search
      // tables or a scan of a covering index) and sort them. Many: walk the messages newest first
      // and test each, which meets a page of matches soon.
      const match =
        n > DENSE_MATCHES
          ? compileWhere(query, { dense: true })
          : {
              sql: `m.seq IN (SELECT m.seq FROM messages m WHERE ${where.sql})`,
              params: where.params,
            };
      const cursor = before ? { sql: " AND m.id < ?", params: [before] } : { sql: "", params: [] };
      const rows = db
        .prepare(
          `SELECT m.seq, m.id, m.read, m.tags, m.dmarc, m.finding_count, m.summary FROM messages m WHERE ${match.sql}${cursor.sql} ORDER BY m.id DESC LIMIT ?`,
        )
        .all(...match.params, ...cursor.params, pageSize + 1) as SummaryRow[];
      const page = rows.slice(0, pageSize);
      return {
        messages: page.map(toSummaryRow),
        total: n,
        next: rows.length > pageSize ? page[page.length - 1].id : null,
      };
    },
    async firstAfter(query, afterId) {
      const where = compileWhere(query);
      const row = db
        .prepare(
          `SELECT m.seq, m.id, m.read, m.tags, m.dmarc, m.finding_count, b.body, m.analysis FROM messages m JOIN bodies b ON b.seq = m.seq WHERE m.id > ? AND ${where.sql} ORDER BY m.id ASC LIMIT 1`,
        )
        .get(afterId, ...where.params) as FullRow | undefined;
      return row ? toMessage(row) : null;
    },
    async delete(query) {
      return deleteWhere(query);
    },
    async deleteIds(ids) {
      const run = db.transaction((list: string[]) =>
        list.flatMap((id) =>
          (statements.deleteId.all(id) as Array<{ id: string }>).map((r) => r.id),
        ),
      );
      return run(ids);
    },
    async setAnalysis(id, analysis) {
      const write: AnalysisWrite = { id, analysis, summary: null };
      await analysisWrites.add(write);
      return write.summary;
    },
    async update(id, changes) {
      const sets: string[] = [];
      const params: unknown[] = [];
      if (changes.read !== undefined) {
        sets.push("read = ?");
        params.push(changes.read ? 1 : 0);
      }
      if (changes.tags !== undefined) {
        sets.push("tags = ?");
        params.push(JSON.stringify(changes.tags));
      }
      if (sets.length > 0)
        db.prepare(`UPDATE messages SET ${sets.join(", ")} WHERE id = ?`).run(...params, id);
      const row = statements.summaryById.get(id) as SummaryRow | undefined;
      return row ? toSummaryRow(row) : null;
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
    async tags() {
      return statements.tags.all() as Array<{ tag: string; count: number }>;
    },
    async mailboxes() {
      return statements.mailboxes.all() as Array<{ name: string; count: number }>;
    },
    async count() {
      return (statements.count.get() as { n: number }).n;
    },
    async pendingAnalysis(limit) {
      return (statements.pendingAnalysis.all(limit) as Array<{ id: string }>).map((row) => row.id);
    },
    async prune(max) {
      if (max <= 0) return [];
      const oldestKept = statements.pruneBelow.get(max - 1) as { id: string } | undefined;
      if (!oldestKept) return [];
      return (statements.deleteBelow.all(oldestKept.id) as Array<{ id: string }>).map((r) => r.id);
    },
    ...sessions,
    async close() {
      await Promise.all([analysisWrites.flushed(), sessionsFlushed()]);
      await checkpointer.close();
      db.close();
    },
  };
}

type RecipientRow = {
  kind: "to" | "cc" | "bcc" | "reply-to" | "envelope";
  address: string;
  name: string | null;
};

/** The searched recipients, folded as where.ts expects. */
function recipientRows(message: Message): RecipientRow[] {
  const rows: RecipientRow[] = [];
  for (const [kind, list] of [
    ["to", message.to],
    ["cc", message.cc],
    ["bcc", message.bcc],
    ["reply-to", message.replyTo],
  ] as const) {
    for (const a of list)
      rows.push({ kind, address: a.address.toLowerCase(), name: a.name?.toLowerCase() ?? null });
  }
  for (const rcpt of message.envelope.rcptTo)
    rows.push({ kind: "envelope", address: rcpt.toLowerCase(), name: null });
  // A plus-addressed recipient is found by its bare address too (see addressMatches in query.ts).
  for (const row of [...rows]) {
    const bare = withoutPlusTag(row.address);
    if (bare !== row.address) rows.push({ ...row, address: bare });
  }
  return rows;
}

/** A recipient_grams column: each address and name of the given kinds on its own line (see migrations.ts). */
function gramLines(rows: RecipientRow[], kinds: readonly string[]): string {
  return rows
    .filter((r) => kinds.includes(r.kind))
    .map((r) => `${r.address}\n${r.name ?? ""}`)
    .join("\n");
}

function messageParams(message: Message) {
  const { read, tags, analysis, ...body } = message;
  return {
    id: message.id,
    receivedAt: Date.parse(message.receivedAt),
    sourceKind: message.source.kind,
    // Searched columns are stored folded (see where.ts); display values come from the summary.
    messageId: message.messageId?.toLowerCase() ?? null,
    subject: message.subject?.toLowerCase() ?? null,
    fromAddress: message.from?.address.toLowerCase() ?? null,
    fromName: message.from?.name?.toLowerCase() ?? null,
    attachmentCount: message.attachments.length,
    size: message.size,
    read: read ? 1 : 0,
    tags: JSON.stringify(tags),
    mailbox: message.mailbox,
    summary: JSON.stringify(toSummary(message)),
    body: JSON.stringify(body),
    analysis: JSON.stringify(analysis),
  };
}
