import type { EventName, MailproofEvents } from "../../core/events.js";
import type { Address, MessageSummary } from "../../core/types.js";

/**
 * Live events go to every connected client, so each one is size-bound: a message with 5,000
 * recipients or an analysis listing thousands of links must not become megabytes per client.
 * An event that serialises larger than `MAX_EVENT_BYTES` is sent slimmed, with `truncated: true`:
 * its summary trimmed and its analysis left out; the client fetches the message for the rest.
 */
const MAX_EVENT_BYTES = 64 * 1024;
/** Items kept of a list (recipients, tags) and characters of a text in a slimmed event. */
export const MAX_LIST = 50;
const MAX_TEXT = 1000;

export function cut<T extends string | null>(text: T): T {
  return (text !== null && text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text) as T;
}
const address = (a: Address): Address => ({ name: cut(a.name), address: cut(a.address) });

function trimSummary(summary: MessageSummary): MessageSummary {
  return {
    ...summary,
    from: summary.from ? address(summary.from) : null,
    to: summary.to.slice(0, MAX_LIST).map(address),
    subject: cut(summary.subject),
    tags: summary.tags.slice(0, MAX_LIST).map(cut),
  };
}

/** The event's JSON, serialised once for all clients, at most about MAX_EVENT_BYTES. */
export function boundedEventJson<K extends EventName>(
  name: K,
  payload: MailproofEvents[K],
): string {
  const full = JSON.stringify(payload);
  if (Buffer.byteLength(full) <= MAX_EVENT_BYTES) return full;
  if (name === "message.deleted") {
    const { ids } = payload as MailproofEvents["message.deleted"];
    // 26-character ids: a thousand fit; the client reloads its list for the rest.
    return JSON.stringify({ ids: ids === "all" ? ids : ids.slice(0, 1000), truncated: true });
  }
  const { id, summary } = payload as MailproofEvents["message.received"];
  return JSON.stringify({ id, summary: trimSummary(summary), truncated: true });
}
