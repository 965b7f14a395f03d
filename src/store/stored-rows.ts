import type { Analysis, Message, MessageSummary } from "../core/types.js";
import { withMailbox } from "../mailboxes/assign.js";

/**
 * The columns both stores read a message from, as JSON text: its summary, or its body (the
 * message's JSON without read, tags and analysis) and analysis. Each store turns its own `read`
 * column into a boolean first.
 */
export interface StoredSummary {
  summary: string;
  read: boolean;
  tags: string;
  dmarc: string | null;
  finding_count: number;
}
export interface StoredMessage {
  body: string;
  read: boolean;
  tags: string;
  analysis: string;
}

type Body = Omit<Message, "read" | "tags" | "analysis">;

export function summaryFromRow(row: StoredSummary): MessageSummary {
  return {
    ...withMailbox(JSON.parse(row.summary) as Omit<MessageSummary, "mailbox">),
    read: row.read,
    tags: JSON.parse(row.tags) as string[],
    dmarc: row.dmarc as MessageSummary["dmarc"],
    findingCount: row.finding_count,
  };
}

export function messageFromRow(row: StoredMessage): Message {
  return {
    ...parseStoredBody(row.body),
    read: row.read,
    tags: JSON.parse(row.tags) as string[],
    analysis: JSON.parse(row.analysis) as Analysis,
  };
}

/**
 * A stored body with the fields added since filled in for rows stored before them: the default
 * mailbox, and no parse error (it parsed, or it would say so).
 */
function parseStoredBody(json: string): Body {
  const body = JSON.parse(json) as Omit<Body, "mailbox" | "parseError"> &
    Partial<Pick<Body, "mailbox" | "parseError">>;
  return { ...withMailbox(body), parseError: body.parseError ?? null };
}
