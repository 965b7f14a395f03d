/**
 * SendGrid Event Webhook format: one POST carries a JSON array of events
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event). With an EC private
 * key as `webhookSecret`, requests are signed like the Signed Event Webhook: ECDSA (SHA-256) over
 * timestamp + payload, base64, in `X-Twilio-Email-Event-Webhook-Signature` / `-Timestamp`.
 */

import { createSign, randomBytes } from "node:crypto";
import type { ProviderEvent, ProviderState, WebhookRequest } from "../shared/types.js";

interface SgEventInput {
  event: "processed" | "delivered" | "dropped" | "bounce" | "deferred";
  email: string;
  xMessageId: string;
  sgMessageId: string;
  messageIdHeader: string;
  categories: string[];
  customArgs: Record<string, string>;
  messageId: string | null;
  reason?: string;
}

/** The event as SendGrid posts it; kept as the log entry's `data`. */
export function sgEvent(input: SgEventInput) {
  const data: Record<string, unknown> = {
    ...input.customArgs,
    email: input.email,
    timestamp: Math.floor(Date.now() / 1000),
    "smtp-id": input.messageIdHeader,
    event: input.event,
    category: input.categories,
    sg_event_id: randomBytes(16).toString("base64url").slice(0, 22),
    sg_message_id: input.sgMessageId,
  };
  if (input.event === "delivered") data.response = "250 OK";
  if (input.event === "dropped") {
    data.reason = input.reason ?? "Unknown";
    data.status = "5.0.0";
  }
  return {
    type: input.event,
    providerMessageId: input.xMessageId,
    messageId: input.messageId,
    recipient: input.email,
    data,
  };
}

export function sendgridWebhookRequests(
  events: ProviderEvent[],
  state: ProviderState,
): WebhookRequest[] {
  const body = JSON.stringify(events.map((e) => e.data));
  const headers = { "Content-Type": "application/json", "User-Agent": "SendGrid Event API" };
  const key = state.webhookSecret?.includes("PRIVATE KEY") ? state.webhookSecret : null;
  const sign = (): Record<string, string> => {
    if (!key) return {};
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createSign("sha256")
      .update(timestamp + body)
      .sign(key, "base64");
    return {
      "X-Twilio-Email-Event-Webhook-Signature": signature,
      "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    };
  };
  return [{ body, headers, eventIds: events.map((e) => e.id), sign }];
}
