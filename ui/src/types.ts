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
  Message,
  MessageSummary,
  Severity,
} from "../../src/core/types.js";
import type { MessageSummary } from "../../src/core/types.js";

export interface ListPage {
  messages: MessageSummary[];
  total: number;
  next: string | null;
}
