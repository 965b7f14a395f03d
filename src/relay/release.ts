import { MailproofError } from "../core/errors.js";
import type { Message } from "../core/types.js";
import type { Store } from "../store/store.js";
import type { Relay, RelayResult } from "./relay.js";

/**
 * Releases a stored message through the relay: to `to`, or to its original recipients (the
 * envelope's, else its To/Cc/Bcc). Used by the native API, Mailpit's API, the UI and auto-relay.
 */
export async function releaseMessage(
  deps: { store: Store; relay: Relay | null },
  id: string,
  to?: string[],
): Promise<RelayResult> {
  if (!deps.relay)
    throw new MailproofError(
      "BAD_REQUEST",
      "no relay is configured: start mailproof with --relay smtp://host:port to release messages",
    );
  const [message, raw] = await Promise.all([deps.store.get(id), deps.store.raw(id)]);
  if (!message || !raw) throw new MailproofError("NOT_FOUND", `no message with id "${id}"`);
  const recipients = to && to.length > 0 ? to : originalRecipients(message);
  if (recipients.length === 0)
    throw new MailproofError(
      "BAD_REQUEST",
      'the message has no recipients: give them as { "to": [...] }',
    );
  const refused = deps.relay.refused(recipients);
  if (refused.length > 0) {
    throw new MailproofError(
      "FORBIDDEN",
      `not in --relay-allow: ${refused.join(", ")}; mailproof releases only to the recipients it allows`,
    );
  }
  return deps.relay.release(message, raw, recipients);
}

function originalRecipients(message: Message): string[] {
  if (message.envelope.rcptTo.length > 0) return message.envelope.rcptTo;
  return [...message.to, ...message.cc, ...message.bcc].map((a) => a.address);
}

/** `to` from a request body: absent, or an array of addresses. */
export function recipientsParam(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) ||
    !value.every((v) => typeof v === "string" && /^[^\s@]+@[^\s@]+$/.test(v.trim()))
  ) {
    throw new MailproofError("BAD_REQUEST", `"${field}" must be an array of email addresses`);
  }
  return value.map((v: string) => v.trim());
}
