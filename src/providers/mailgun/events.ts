/**
 * Mailgun event records (`event-data`), the shape both `GET /v3/:domain/events` items and
 * webhook payloads carry. https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads
 */

import { mailgunEventId } from "./ids.js";

type MailgunEventName = "accepted" | "delivered" | "failed" | "complained" | "rejected";

export interface MailgunMessageFacts {
  domain: string;
  /** Without angle brackets. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  size: number;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
  envelopeFrom: string;
  tags: string[];
  userVariables: Record<string, unknown>;
  testMode: boolean;
}

interface MailgunFailure {
  severity: "permanent" | "temporary";
  reason: string;
  code: number;
  message: string;
  description: string;
}

export type MailgunEventData = Record<string, unknown> & {
  id: string;
  event: MailgunEventName;
  timestamp: number;
  recipient: string;
};

export function mailgunEvent(
  event: MailgunEventName,
  facts: MailgunMessageFacts,
  recipient: string,
  failure: MailgunFailure | null = null,
  now = Date.now(),
): MailgunEventData {
  const data: MailgunEventData = {
    id: mailgunEventId(),
    event,
    timestamp: now / 1000,
    "log-level":
      event === "failed"
        ? failure?.severity === "temporary"
          ? "warn"
          : "error"
        : event === "complained"
          ? "warn"
          : "info",
    method: "HTTP",
    recipient,
    "recipient-domain": recipient.slice(recipient.lastIndexOf("@") + 1),
    domain: { name: facts.domain },
    envelope: {
      sender: facts.envelopeFrom,
      targets: recipient,
      transport: "smtp",
      "sending-ip": "127.0.0.1",
    },
    flags: {
      "is-authenticated": true,
      "is-test-mode": facts.testMode,
      "is-routed": false,
      "is-big": false,
    },
    message: {
      headers: {
        to: facts.to,
        "message-id": facts.messageId,
        from: facts.from,
        subject: facts.subject,
      },
      attachments: facts.attachments.map((a) => ({
        filename: a.filename,
        "content-type": a.contentType,
        size: a.size,
      })),
      size: facts.size,
    },
    tags: facts.tags,
    campaigns: [],
    "user-variables": facts.userVariables,
  };
  if (event === "delivered") {
    data["delivery-status"] = {
      code: 250,
      message: "OK",
      description: "",
      "attempt-no": 1,
      "session-seconds": 0.1,
      "mx-host": "mailproof.local",
      tls: true,
      utf8: true,
      "certificate-verified": true,
    };
  }
  if (failure) {
    data.severity = failure.severity;
    data.reason = failure.reason;
    data["delivery-status"] = {
      code: failure.code,
      message: failure.message,
      description: failure.description,
      "attempt-no": 1,
      "bounce-type": failure.severity === "permanent" ? "hard" : "soft",
    };
  }
  return data;
}

/** Suppressed recipients fail at once: Mailgun does not retry addresses on its bounce list. */
export const suppressedBounce: MailgunFailure = {
  severity: "permanent",
  reason: "suppress-bounce",
  code: 605,
  message: "Not delivering to previously bounced address",
  description: "Not delivering to previously bounced address",
};
