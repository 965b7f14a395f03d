import { loginQuery } from "../mailboxes/login-scope.js";
import type { MailboxBy } from "../mailboxes/assign.js";
import type { Query } from "../store/query.js";
import type { Store } from "../store/store.js";
import type { ViewEntry } from "./fetch.js";

/** What one login sees of the store: INBOX, every message in UID order. */
export interface ImapView {
  login: string;
  /** The store query that scopes this login's messages. */
  scope: Query;
  /** Index + 1 is the message sequence number (RFC 3501 §2.3.1.2). */
  messages: ViewEntry[];
  /** The highest UID seen, so messages expunged meanwhile are not fetched again. */
  lastUid: number;
}

/**
 * The one place a login's view of the store is built: every message, or with `--mailbox-by` the
 * login's own mailbox only (the same rule as POP3's, loginQuery).
 */
export async function openImapView(
  store: Store,
  login: string,
  mailboxBy: MailboxBy,
): Promise<ImapView> {
  const scope = loginQuery(mailboxBy, login);
  const messages = (await store.uids(scope, 0)).map((entry) => ({
    ...entry,
    flags: new Set<string>(),
  }));
  return { login, scope, messages, lastUid: messages.at(-1)?.uid ?? 0 };
}

/** Appends the messages stored since the view was opened; returns how many arrived. */
export async function refreshImapView(store: Store, view: ImapView): Promise<number> {
  const fresh = await store.uids(view.scope, view.lastUid);
  for (const entry of fresh) view.messages.push({ ...entry, flags: new Set<string>() });
  view.lastUid = fresh.at(-1)?.uid ?? view.lastUid;
  return fresh.length;
}
