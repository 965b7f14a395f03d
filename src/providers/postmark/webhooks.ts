/**
 * Postmark webhook payloads: one POST per event, a JSON object with `RecordType` (`Delivery`,
 * `Bounce`, …) (https://postmarkapp.com/developer/webhooks/webhooks-overview), and the bounce
 * types of the black hole domain `bounce-testing.postmarkapp.com`
 * (https://postmarkapp.com/developer/user-guide/sandbox-mode/generate-fake-bounces).
 */

import type { ProviderEvent, WebhookRequest } from "../shared/types.js";

const BOUNCE_TESTING_DOMAIN = "bounce-testing.postmarkapp.com";

/** Bounce types and their TypeCode (https://postmarkapp.com/developer/api/bounce-api#bounce-types). */
const BOUNCE_TYPES: Record<
  string,
  { type: string; code: number; name: string; inactive: boolean }
> = {
  hardbounce: { type: "HardBounce", code: 1, name: "Hard bounce", inactive: true },
  transient: { type: "Transient", code: 2, name: "Message delayed", inactive: false },
  unsubscribe: { type: "Unsubscribe", code: 16, name: "Unsubscribe request", inactive: false },
  subscribe: { type: "Subscribe", code: 32, name: "Subscribe request", inactive: false },
  autoresponder: { type: "AutoResponder", code: 64, name: "Auto responder", inactive: false },
  addresschange: { type: "AddressChange", code: 128, name: "Address change", inactive: false },
  dnserror: { type: "DnsError", code: 256, name: "DNS error", inactive: false },
  spamnotification: {
    type: "SpamNotification",
    code: 512,
    name: "Spam notification",
    inactive: false,
  },
  softbounce: {
    type: "SoftBounce",
    code: 4096,
    name: "Soft bounce/Undeliverable",
    inactive: false,
  },
  blocked: { type: "Blocked", code: 100006, name: "ISP block", inactive: false },
};

/** The bounce an address on the black hole domain produces (HardBounce by default), or null. */
export function simulatedBounce(address: string) {
  const [local, domain] = address.toLowerCase().split("@");
  if (domain !== BOUNCE_TESTING_DOMAIN) return null;
  return BOUNCE_TYPES[local.replace(/[^a-z]/g, "")] ?? BOUNCE_TYPES.hardbounce;
}

interface PmEventContext {
  messageId: string;
  messageStream: string;
  tag: string | null;
  metadata: Record<string, string>;
  from: string;
  subject: string;
}

export function deliveryEvent(ctx: PmEventContext, recipient: string, capturedId: string) {
  return {
    type: "Delivery",
    providerMessageId: ctx.messageId,
    messageId: capturedId,
    recipient,
    data: {
      RecordType: "Delivery",
      ServerID: 1,
      MessageStream: ctx.messageStream,
      MessageID: ctx.messageId,
      Recipient: recipient,
      Tag: ctx.tag ?? "",
      DeliveredAt: new Date().toISOString(),
      Details: "Test delivery webhook details",
      Metadata: ctx.metadata,
    },
  };
}

export function bounceEvent(
  ctx: PmEventContext,
  recipient: string,
  bounce: NonNullable<ReturnType<typeof simulatedBounce>>,
  id: number,
) {
  return {
    type: "Bounce",
    providerMessageId: ctx.messageId,
    messageId: null,
    recipient,
    data: {
      RecordType: "Bounce",
      ID: id,
      Type: bounce.type,
      TypeCode: bounce.code,
      Name: bounce.name,
      Tag: ctx.tag ?? "",
      MessageID: ctx.messageId,
      Metadata: ctx.metadata,
      ServerID: 1,
      MessageStream: ctx.messageStream,
      Description: `The server was unable to deliver your message (${bounce.name}).`,
      Details: "Test bounce details",
      Email: recipient,
      From: ctx.from,
      BouncedAt: new Date().toISOString(),
      DumpAvailable: false,
      Inactive: bounce.inactive,
      CanActivate: true,
      Subject: ctx.subject,
      Content: "",
    },
  };
}

export function postmarkWebhookRequests(events: ProviderEvent[]): WebhookRequest[] {
  return events.map((event) => ({
    body: JSON.stringify(event.data),
    headers: { "Content-Type": "application/json" },
    eventIds: [event.id],
  }));
}
