export { Mailproof } from "./mailproof.js";
export type { MailproofOptions, ListOptions } from "./mailproof.js";
export type { WaitForOptions } from "./wait-for.js";
export { ReceivedMessage } from "./received-message.js";
export type {
  LinkSelector,
  ReplyInput,
  ReplyResult,
  UnsubscribeResult,
} from "./received-message.js";
export { MailproofClientError, MailproofTimeoutError } from "./errors.js";
export type * from "../core/types.js";
export { normalizeEmail } from "./normalize-email.js";
export type { NormalizableMessage } from "./normalize-email.js";
