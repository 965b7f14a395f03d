import type { Message } from "../core/types.js";
import {
  headerBlock,
  lines,
  newBoundary,
  newMessageId,
  ORIGINAL_HEADER,
  rfc5322Date,
  SIMULATOR_DOMAIN,
  type BuiltMessage,
} from "./mime.js";

export type BounceKind = "hard" | "soft";

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
 * recipient) and the original headers as `text/rfc822-headers`. It travels from the null sender
 * (RFC 5321 §4.5.5) so that nothing ever answers it.
 */
export function buildDsn(
  original: Message,
  originalRaw: Buffer,
  recipients: string[],
  kind: BounceKind,
  to: string,
): BuiltMessage {
  const boundary = newBoundary();
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
  const raw = lines(
    `From: Mail Delivery System <MAILER-DAEMON@${SIMULATOR_DOMAIN}>`,
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date()}`,
    `Message-ID: ${newMessageId()}`,
    "Auto-Submitted: auto-replied",
    `${ORIGINAL_HEADER}: ${original.id}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    "",
    "This is a MIME-encapsulated message.",
    "",
    `--${boundary}`,
    "Content-Description: Notification",
    "Content-Type: text/plain; charset=utf-8",
    "",
    human,
    `Original message: ${original.id}`,
    "",
    `--${boundary}`,
    "Content-Description: Delivery report",
    "Content-Type: message/delivery-status",
    "",
    report,
    "",
    `--${boundary}`,
    "Content-Description: Undelivered Message Headers",
    "Content-Type: text/rfc822-headers",
    "",
    headerBlock(originalRaw),
    "",
    `--${boundary}--`,
    "",
  );
  return { raw: Buffer.from(raw, "latin1"), mailFrom: "", rcptTo: [to] };
}
