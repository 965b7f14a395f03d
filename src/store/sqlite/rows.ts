import type { Database } from "better-sqlite3";
import { toSummary } from "../../core/summary.js";
import type { Message, MessageSummary } from "../../core/types.js";
import type { SearchedRecipient } from "../query.js";
import { messageFromRow, summaryFromRow } from "../stored-rows.js";

type Row = {
  seq: number;
  id: string;
  read: number;
  tags: string;
  dmarc: string | null;
  finding_count: number;
};
export type SummaryRow = Row & { summary: string };
export type FullRow = Row & { body: string; analysis: string };

/** The columns of a SummaryRow and of a FullRow, selected from `messages m` (and `bodies b`). */
export const SUMMARY_COLUMNS = "m.seq, m.id, m.read, m.tags, m.dmarc, m.finding_count, m.summary";
export const FULL_COLUMNS =
  "m.seq, m.id, m.read, m.tags, m.dmarc, m.finding_count, b.body, m.analysis";

export function toSummaryRow(row: SummaryRow): MessageSummary {
  return summaryFromRow({ ...row, read: row.read === 1 });
}

export function toMessage(row: FullRow): Message {
  return messageFromRow({ ...row, read: row.read === 1 });
}

/** The summary of one message by id, as the list shows it, or null. */
export function summaryReader(db: Database): (id: string) => MessageSummary | null {
  const statement = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE m.id = ?`);
  return (id) => {
    const row = statement.get(id) as SummaryRow | undefined;
    return row ? toSummaryRow(row) : null;
  };
}

/** A recipient_grams column: each address and name of the given kinds on its own line (see migrations.ts). */
export function gramLines(rows: SearchedRecipient[], kinds: readonly string[]): string {
  return rows
    .filter((r) => kinds.includes(r.kind))
    .map((r) => `${r.address}\n${r.name ?? ""}`)
    .join("\n");
}

export function messageParams(message: Message) {
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
