import type { Query } from "../store/query.js";
import { normalizeMailbox, type MailboxBy } from "./assign.js";

/**
 * The mailbox a mail-client login (POP3, IMAP) may read, or null when it reads every message
 * (`--mailbox-by none`). With `auth` the login name is the mailbox name, as the SMTP AUTH user
 * that filed the mail. With `domain` a login `alice@example.com` reads `example.com`, and a login
 * that is a bare domain (`example.com`) reads that domain.
 */
export function loginMailbox(mode: MailboxBy, user: string): string | null {
  if (mode === "none") return null;
  const name = mode === "domain" ? user.slice(user.lastIndexOf("@") + 1) : user;
  // An empty name ("alice@") must not fall back to every message.
  return normalizeMailbox(name) ?? "";
}

/** The search query that limits a login to its mailbox: no terms when it sees everything. */
export function loginQuery(mode: MailboxBy, user: string): Query {
  return mailboxQuery(loginMailbox(mode, user));
}

/** `mailbox:NAME` as a parsed query; no terms for null. */
export function mailboxQuery(mailbox: string | null): Query {
  return {
    terms:
      mailbox === null ? [] : [{ kind: "field", field: "mailbox", value: mailbox, negate: false }],
  };
}
