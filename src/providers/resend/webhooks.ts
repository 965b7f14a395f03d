/**
 * Resend webhooks: one POST per event, `{ type: "email.delivered", created_at, data: {...} }`
 * (https://resend.com/docs/dashboard/webhooks/event-types), signed the Standard Webhooks way
 * (https://www.standardwebhooks.com/): `v1,` + base64 HMAC-SHA256 over `id.timestamp.body` with
 * the base64 key after `whsec_`, sent as `svix-*` (what Resend sends) and `webhook-*` headers.
 */

import { createHmac, randomUUID } from "node:crypto";
import type { ProviderEvent, ProviderState, WebhookRequest } from "../shared/types.js";

/** The secret used when the state has no `webhookSecret`; documented in docs/providers/resend.md for tests. */
const DEFAULT_RESEND_SECRET = `whsec_${Buffer.from("mailproof-resend-webhook-secret").toString("base64")}`;

type SimulatorOutcome = "delivered" | "bounced" | "complained" | "suppressed";

/** Resend's test addresses, with an optional `+label` (https://resend.com/docs/dashboard/emails/send-test-emails). */
export function simulatorOutcome(address: string): SimulatorOutcome | null {
  const match = address
    .toLowerCase()
    .match(/^(delivered|bounced|complained|suppressed)(\+[^@]*)?@resend\.dev$/);
  return match ? (match[1] as SimulatorOutcome) : null;
}

interface ReEventContext {
  emailId: string;
  from: string;
  to: string[];
  subject: string;
  createdAt: string;
  tags: Record<string, string>;
}

export function resendEvent(
  ctx: ReEventContext,
  type: string,
  recipient: string | null,
  messageId: string | null,
  extra: Record<string, unknown> = {},
) {
  return {
    type,
    providerMessageId: ctx.emailId,
    messageId,
    recipient,
    data: {
      type,
      created_at: new Date().toISOString(),
      data: {
        created_at: ctx.createdAt,
        email_id: ctx.emailId,
        from: ctx.from,
        to: ctx.to,
        subject: ctx.subject,
        tags: ctx.tags,
        ...extra,
      },
    },
  };
}

export const bounceDetails = (suppressed: boolean) => ({
  bounce: suppressed
    ? {
        message: "The recipient is on the suppression list.",
        subType: "Suppressed",
        type: "Permanent",
      }
    : {
        message: "The recipient's email provider sent a hard bounce message.",
        subType: "General",
        type: "Permanent",
      },
});

export function resendWebhookRequests(
  events: ProviderEvent[],
  state: ProviderState,
): WebhookRequest[] {
  const secret = state.webhookSecret ?? DEFAULT_RESEND_SECRET;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return events.map((event) => {
    const body = JSON.stringify(event.data);
    // One message id for every attempt; the timestamp and signature are fresh on each.
    const id = `msg_${randomUUID().replace(/-/g, "")}`;
    const sign = () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
      return {
        "svix-id": id,
        "svix-timestamp": timestamp,
        "svix-signature": signature,
        "webhook-id": id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signature,
      };
    };
    return { body, eventIds: [event.id], headers: { "Content-Type": "application/json" }, sign };
  });
}
