/**
 * The message contract, shared with the server as types only (erased at build time): the UI
 * talks to the server exclusively over the public REST API and SSE.
 */
export type {
  Address,
  Analysis,
  AttachmentInfo,
  AuthAnalysis,
  AuthResult,
  Finding,
  LinkInfo,
  MessageSummary,
  Severity,
} from "../../src/core/types.js";
import type { Message as StoredMessage, MessageSummary } from "../../src/core/types.js";

/** `GET /api/messages/:id`: the stored message plus `originalId` (the message a generated response answers). */
export type Message = StoredMessage & { originalId?: string | null };

export interface ListPage {
  messages: MessageSummary[];
  total: number;
  next: string | null;
}
