/**
 * Mailgun webhook bodies: `{ signature: { timestamp, token, signature }, "event-data": {...} }`,
 * where `signature` is the hex HMAC-SHA256 of `timestamp + token` keyed with the webhook signing
 * key. https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 */

import { createHmac, randomBytes } from "node:crypto";
import type { ProviderEvent, ProviderState, WebhookRequest } from "../shared/types.js";

/** The signing key used while `webhookSecret` is null (documented in docs/providers/mailgun.md; not a secret). */
export const DEFAULT_SIGNING_KEY = "mailproof-mailgun-signing-key";

export function signMailgunWebhook(
  signingKey: string,
  eventData: Record<string, unknown>,
  now = Date.now(),
) {
  const timestamp = String(Math.floor(now / 1000));
  // The token is 50 random characters.
  const token = randomBytes(25).toString("hex");
  const signature = createHmac("sha256", signingKey)
    .update(timestamp + token)
    .digest("hex");
  return { signature: { timestamp, token, signature }, "event-data": eventData };
}

/** One POST per event, as Mailgun sends them (JSON, `User-Agent: mailgun/treq-…`). */
export function mailgunWebhookRequests(
  events: ProviderEvent[],
  state: ProviderState,
): WebhookRequest[] {
  return events.map((event) => ({
    eventIds: [event.id],
    body: JSON.stringify(
      signMailgunWebhook(state.webhookSecret ?? DEFAULT_SIGNING_KEY, event.data),
    ),
    headers: { "content-type": "application/json", "user-agent": "mailgun/treq-16.12.0" },
  }));
}
