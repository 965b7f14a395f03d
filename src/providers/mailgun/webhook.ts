/**
 * Mailgun webhook bodies: `{ signature: { timestamp, token, signature }, "event-data": {...} }`,
 * where `signature` is the hex HMAC-SHA256 of `timestamp + token` keyed with the webhook signing
 * key. https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 */

import { createHmac, randomBytes } from "node:crypto";

export function signMailgunWebhook(signingKey: string, eventData: Record<string, unknown>, now = Date.now()) {
  const timestamp = String(Math.floor(now / 1000));
  // The token is 50 random characters.
  const token = randomBytes(25).toString("hex");
  const signature = createHmac("sha256", signingKey).update(timestamp + token).digest("hex");
  return { signature: { timestamp, token, signature }, "event-data": eventData };
}
