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
 * The one place a login's view of the store is built: every login sees every message today;
 * scoping a login to its own messages is a term added to `scope`.
 */
export async function openImapView(store: Store, login: string): Promise<ImapView> {
  const scope: Query = { terms: [] };
  const messages = (await store.uids(scope, 0)).map((entry) => ({ ...entry, flags: new Set<string>() }));
  return { login, scope, messages, lastUid: messages.at(-1)?.uid ?? 0 };
}

/** Appends the messages stored since the view was opened; returns how many arrived. */
export async function refreshImapView(store: Store, view: ImapView): Promise<number> {
  const fresh = await store.uids(view.scope, view.lastUid);
  for (const entry of fresh) view.messages.push({ ...entry, flags: new Set<string>() });
  view.lastUid = fresh.at(-1)?.uid ?? view.lastUid;
  return fresh.length;
}
