import type { Message } from "../core/types.js";
import { headerBlock, lines, rfc5322Date, SIMULATOR_DOMAIN, type BuiltMessage } from "./mime.js";
import { buildReport } from "./report.js";

type BounceKind = "hard" | "soft";

/** RFC 3463 status codes: 5.1.1 "bad destination mailbox address", 4.2.2 "mailbox full". */
const STATUS = {
  hard: {
    action: "failed",
    status: "5.1.1",
    reply: "550 5.1.1",
    why: "Recipient address rejected: User unknown in virtual mailbox table",
  },
  soft: { action: "delayed", status: "4.2.2", reply: "452 4.2.2", why: "Mailbox full" },
} as const;

/**
 * An RFC 3464 delivery status notification in an RFC 6522 multipart/report: a human part, the
 * machine-readable `message/delivery-status` (per-message fields, then one block per
 * recipient) and the original headers as `text/rfc822-headers`.
 */
export function buildDsn(
  original: Message,
  originalRaw: Buffer,
  recipients: string[],
  kind: BounceKind,
  to: string,
): BuiltMessage {
  const { action, status, reply, why } = STATUS[kind];
  const subject =
    kind === "hard" ? "Undelivered Mail Returned to Sender" : "Delayed Mail (still being retried)";
  const human =
    kind === "hard"
      ? `This is the mail system at host ${SIMULATOR_DOMAIN}.\r\n\r\nI'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n`
      : `This is the mail system at host ${SIMULATOR_DOMAIN}.\r\n\r\nYour message could not be delivered yet; delivery will be retried.\r\n`;
  const perRecipient = recipients.map((rcpt) =>
    lines(
      `Final-Recipient: rfc822; ${rcpt}`,
      `Original-Recipient: rfc822; ${rcpt}`,
      `Action: ${action}`,
      `Status: ${status}`,
      `Remote-MTA: dns; ${SIMULATOR_DOMAIN}`,
      `Diagnostic-Code: smtp; ${reply} <${rcpt}>: ${why}`,
    ),
  );
  const report = [
    lines(
      `Reporting-MTA: dns; ${SIMULATOR_DOMAIN}`,
      `X-Mailproof-Queue-ID: ${original.id}`,
      `Arrival-Date: ${rfc5322Date(new Date(original.receivedAt))}`,
    ),
    ...perRecipient,
  ].join("\r\n\r\n");
  return buildReport({
    original,
    from: `Mail Delivery System <MAILER-DAEMON@${SIMULATOR_DOMAIN}>`,
    to,
    subject,
    autoSubmitted: "auto-replied",
    reportType: "delivery-status",
    preamble: "This is a MIME-encapsulated message.",
    notification: { description: "Notification", text: human },
    report: {
      description: "Delivery report",
      contentType: "message/delivery-status",
      body: report,
    },
    returned: {
      description: "Undelivered Message Headers",
      contentType: "text/rfc822-headers",
      body: headerBlock(originalRaw),
    },
  });
}
