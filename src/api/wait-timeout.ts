import type { Query } from "../store/query.js";
import type { Store } from "../store/store.js";

/**
 * The 408 of `/api/wait`. The usual cause is a race in the test, not a lost message: the
 * message was sent before the wait started, and a wait counts only messages received after
 * `after` (default: the moment of the request). When such a message exists, say which one and
 * give an `after=` that includes it.
 */
export async function waitTimeoutMessage(
  store: Store,
  query: Query,
  queryText: string,
  afterId: string,
  timeoutMs: number,
): Promise<string> {
  const nothing = `no message matching "${queryText}" arrived within ${timeoutMs} ms`;
  const { messages } = await store.list({ query, limit: 1, before: afterId });
  const earlier = messages[0];
  if (!earlier) return `${nothing}, nor before the wait started`;
  const justBefore = new Date(Date.parse(earlier.receivedAt) - 1).toISOString();
  return (
    `${nothing}; a matching message arrived before the wait started: ${earlier.id} at ${earlier.receivedAt}. ` +
    `A wait counts only messages received after "after" (an id or ISO time; default: when the wait starts): ` +
    `start the wait before sending, or pass after=${justBefore} to include that message`
  );
}
