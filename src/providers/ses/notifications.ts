/**
 * SES feedback notifications (`notificationType` Delivery, Bounce, Complaint), the JSON SES
 * publishes to SNS for an identity. Shapes from
 * https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html
 */

import { randomUUID } from "node:crypto";
import type { SesHeader } from "./send-request.js";
import type { SesOutcome } from "./simulator.js";

export const SES_ACCOUNT_ID = "123456789012";

export interface SesMailFacts {
  messageId: string;
  timestamp: string;
  source: string;
  destination: string[];
  region: string;
  sourceIp: string;
  headers: SesHeader[];
  commonHeaders: {
    from: string[];
    to: string[];
    cc?: string[];
    subject: string | null;
    messageId: string | null;
    date: string | null;
  };
  tags: Record<string, string[]>;
}

type SesNotificationType = "Delivery" | "Bounce" | "Complaint";

interface SesNotification {
  notificationType: SesNotificationType;
  mail: Record<string, unknown>;
  delivery?: Record<string, unknown>;
  bounce?: Record<string, unknown>;
  complaint?: Record<string, unknown>;
}

function mailObject(facts: SesMailFacts): Record<string, unknown> {
  return {
    timestamp: facts.timestamp,
    messageId: facts.messageId,
    source: facts.source,
    sourceArn: `arn:aws:ses:${facts.region}:${SES_ACCOUNT_ID}:identity/${facts.source.slice(facts.source.lastIndexOf("@") + 1)}`,
    sourceIp: facts.sourceIp,
    sendingAccountId: SES_ACCOUNT_ID,
    callerIdentity: "mailproof",
    destination: facts.destination,
    headersTruncated: false,
    headers: facts.headers,
    commonHeaders: facts.commonHeaders,
    tags: facts.tags,
  };
}

/** The notifications one recipient's outcome produces, in the order SES sends them. */
export function notificationsFor(
  facts: SesMailFacts,
  recipient: string,
  outcome: SesOutcome,
  now = new Date(),
): SesNotification[] {
  const mail = mailObject(facts);
  const timestamp = now.toISOString();
  const reportingMTA = `a8-1.smtp-out.${facts.region}.amazonses.com`;
  const delivery: SesNotification = {
    notificationType: "Delivery",
    mail,
    delivery: {
      timestamp,
      processingTimeMillis: Math.max(0, now.getTime() - Date.parse(facts.timestamp)),
      recipients: [recipient],
      smtpResponse: "250 2.6.0 Message received",
      remoteMtaIp: "127.0.0.1",
      reportingMTA,
    },
  };
  switch (outcome.kind) {
    case "delivery":
    case "ooto":
      return [delivery];
    case "complaint":
      return [
        delivery,
        {
          notificationType: "Complaint",
          mail,
          complaint: {
            complainedRecipients: [{ emailAddress: recipient }],
            timestamp,
            feedbackId: feedbackId(),
            userAgent: "Amazon SES Mailbox Simulator",
            complaintFeedbackType: "abuse",
            arrivalDate: timestamp,
          },
        },
      ];
    case "bounce":
      return [
        {
          notificationType: "Bounce",
          mail,
          bounce: {
            bounceType: "Permanent",
            bounceSubType: outcome.subType,
            bouncedRecipients: [
              {
                emailAddress: recipient,
                action: "failed",
                status: outcome.status,
                diagnosticCode: outcome.diagnosticCode,
              },
            ],
            timestamp,
            feedbackId: feedbackId(),
            reportingMTA: `dsn; ${reportingMTA}`,
          },
        },
      ];
  }
}

/** Feedback ids have the message-id shape: `0100017e…-<uuid>-000000`. */
function feedbackId(): string {
  return `${Date.now().toString(16).padStart(16, "0")}-${randomUUID()}-000000`;
}
