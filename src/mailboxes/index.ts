export { apiKeyName } from "./api-key-name.js";
export {
  assignMailbox,
  DEFAULT_MAILBOX,
  MAILBOX_MODES,
  normalizeMailbox,
  withMailbox,
  type MailboxBy,
  type MailboxFacts,
} from "./assign.js";
export { loginMailbox, loginQuery, mailboxQuery } from "./login-scope.js";
