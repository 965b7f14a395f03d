import type { Analysis, Message, MessageSummary } from "../core/types.js";
import type { SessionTranscript } from "../core/transcripts.js";
import type { Query } from "./query.js";

/** Everything needed to persist one captured message. */
export interface NewMessage {
  message: Message;
  raw: Buffer;
  /** Decoded attachment bytes, in the order of `message.attachments`. */
  attachmentContents: Buffer[];
}

export interface ListOptions {
  query: Query;
  /** Page size; the store caps it. */
  limit: number;
  /** Keyset cursor: only messages with an id lower than this. */
  before?: string | null;
}

export interface ListResult {
  messages: MessageSummary[];
  /** Messages matching the query in the whole store. */
  total: number;
  /** Cursor for the next (older) page, or null when this page is the last. */
  next: string | null;
}

export interface UidEntry {
  uid: number;
  id: string;
  read: boolean;
  size: number;
  /** Milliseconds since the epoch. */
  receivedAt: number;
}

export interface StoredAttachment {
  filename: string | null;
  contentType: string;
  content: Buffer;
}

/**
 * The persistence contract. Every method is async so that a networked store (PostgreSQL) fits
 * the same shape as the embedded SQLite one. `insert` resolves only once the batch is durable:
 * callers acknowledge messages (SMTP 250, HTTP 2xx) after it resolves, never before.
 */
export interface Store {
  readonly kind: "sqlite" | "postgres";
  insert(batch: NewMessage[]): Promise<void>;
  get(id: string): Promise<Message | null>;
  raw(id: string): Promise<Buffer | null>;
  attachment(messageId: string, attachmentId: string): Promise<StoredAttachment | null>;
  list(options: ListOptions): Promise<ListResult>;
  /** The oldest message matching `query` whose id sorts after `afterId`, for wait catch-up. */
  firstAfter(query: Query, afterId: string): Promise<Message | null>;
  /** Deletes matching messages; returns the deleted ids. An empty query deletes everything. */
  delete(query: Query): Promise<string[]>;
  deleteIds(ids: string[]): Promise<string[]>;
  setAnalysis(id: string, analysis: Analysis): Promise<MessageSummary | null>;
  update(id: string, changes: { read?: boolean; tags?: string[] }): Promise<MessageSummary | null>;
  count(): Promise<number>;
  /**
   * IMAP's view (RFC 3501 §2.3.1.1): matching messages with a UID above `afterUid`, ascending.
   * UIDs are assigned in insertion order and never reused within one database.
   */
  uids(query: Query, afterUid: number): Promise<UidEntry[]>;
  /** The database's UIDVALIDITY (fixed when it was created) and the UID the next message gets. */
  uidState(): Promise<{ validity: number; next: number }>;
  /** Ids of messages whose analysis is still pending (cut off by a crash), oldest first. */
  pendingAnalysis(limit: number): Promise<string[]>;
  /** Every tag in use, with how many messages carry it, by name. */
  tags(): Promise<Array<{ tag: string; count: number }>>;
  /** Every mailbox holding messages, with how many, by name. */
  mailboxes(): Promise<Array<{ name: string; count: number }>>;
  /** Deletes the oldest messages beyond `max`; returns their ids. */
  prune(max: number): Promise<string[]>;
  /** Stores a finished SMTP session transcript (once, when the session closes). */
  saveSession(session: SessionTranscript): Promise<void>;
  getSession(id: string): Promise<SessionTranscript | null>;
  /** Newest first; with `messageId`, only the sessions that carried that message. */
  listSessions(
    options: ListSessionsOptions,
  ): Promise<{ sessions: SessionTranscript[]; next: string | null }>;
  /** Deletes the oldest transcripts beyond `max` (the messages' retention); returns how many. */
  pruneSessions(max: number): Promise<number>;
  close(): Promise<void>;
}

interface ListSessionsOptions {
  messageId: string | null;
  /** Page size; the store caps it. */
  limit: number;
  /** Keyset cursor: only sessions with an id lower than this. */
  before: string | null;
}
