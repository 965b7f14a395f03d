import { toSummary } from "../../core/summary.js";
import type { Message, MessageSummary } from "../../core/types.js";
import { searchColumns } from "./search.js";
import { searchedRecipients } from "../query.js";
import { noNul } from "./where.js";
import { messageFromRow, summaryFromRow } from "../stored-rows.js";

/** Conversions between messages and rows of the PostgreSQL schema (migrations.ts). */

export interface SummaryRow {
  id: string;
  read: boolean;
  tags: string;
  dmarc: string | null;
  finding_count: number;
  summary: string;
}

export interface FullRow {
  read: boolean;
  tags: string;
  body: string;
  analysis: string;
}

export const SUMMARY_COLUMNS = "m.id, m.read, m.tags, m.dmarc, m.finding_count, m.summary";
export const FULL_COLUMNS = "m.read, m.tags, m.body, m.analysis";

const lc = (value: string | null | undefined): string | null =>
  value == null ? null : noNul(value.toLowerCase());

/** Column values of `messages` in the order of MESSAGE_COLUMNS. JSON text may hold NUL: JSON.stringify escapes it. */
export const MESSAGE_COLUMNS = [
  "id",
  "received_at",
  "source_kind",
  "message_id_lc",
  "subject_lc",
  "from_address",
  "from_name_lc",
  "attachment_count",
  "size",
  "read",
  "tags",
  "tags_lc",
  "mailbox",
  "summary",
  "body",
  "analysis",
  "search_words",
  "search_vector",
] as const;

export function messageValues(message: Message): unknown[] {
  const { read, tags, analysis, ...body } = message;
  const search = searchColumns(message);
  return [
    message.id,
    Date.parse(message.receivedAt),
    message.source.kind,
    lc(message.messageId),
    lc(message.subject),
    lc(message.from?.address),
    lc(message.from?.name),
    message.attachments.length,
    message.size,
    read,
    JSON.stringify(tags),
    tags.map((t) => noNul(t.toLowerCase())),
    noNul(message.mailbox),
    JSON.stringify(toSummary(message)),
    JSON.stringify(body),
    JSON.stringify(analysis),
    search.words,
    search.lexemes,
  ];
}

/** SQL for one VALUES row of `messages` whose parameters start at `$first`. */
export function messagePlaceholders(first: number): string {
  const slots = MESSAGE_COLUMNS.map((column, i) =>
    column === "search_vector" ? `array_to_tsvector($${first + i}::text[])` : `$${first + i}`,
  );
  return `(${slots.join(", ")})`;
}

interface RecipientRows {
  messageIds: string[];
  kinds: string[];
  addresses: string[];
  names: Array<string | null>;
}

export function recipientRows(batch: Message[]): RecipientRows {
  const rows: RecipientRows = { messageIds: [], kinds: [], addresses: [], names: [] };
  for (const message of batch) {
    for (const { kind, address, name } of searchedRecipients(message)) {
      rows.messageIds.push(message.id);
      rows.kinds.push(kind);
      rows.addresses.push(noNul(address));
      rows.names.push(name === null ? null : noNul(name));
    }
  }
  return rows;
}

export const toSummaryRow: (row: SummaryRow) => MessageSummary = summaryFromRow;
export const toMessage: (row: FullRow) => Message = messageFromRow;
