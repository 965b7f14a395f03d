import type { Message } from "../../core/types.js";
import type { Query } from "../../store/query.js";
import type { Store } from "../../store/store.js";

const PAGE = 1000;

/**
 * Mailpit and MailHog page by offset; our store pages by keyset (so listing stays cheap at any
 * depth). Walk keyset pages up to the offset, then load the full messages of the slice.
 */
export async function offsetPage(
  store: Store,
  query: Query,
  start: number,
  limit: number,
): Promise<{ total: number; messages: Message[] }> {
  const ids: string[] = [];
  let before: string | null = null;
  let total: number;
  do {
    const result = await store.list({ query, limit: PAGE, before });
    total = result.total;
    ids.push(...result.messages.map((m) => m.id));
    before = result.next;
  } while (before && ids.length < start + limit);
  const messages = await Promise.all(ids.slice(start, start + limit).map((id) => store.get(id)));
  return { total, messages: messages.filter((m): m is Message => m !== null) };
}
