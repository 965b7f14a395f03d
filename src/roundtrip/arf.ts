import type { Message } from "../core/types.js";
import {
  encodeHeaderValue,
  lines,
  newBoundary,
  newMessageId,
  ORIGINAL_HEADER,
  rfc5322Date,
  SIMULATOR_DOMAIN,
  type BuiltMessage,
} from "./mime.js";

/**
 * An RFC 5965 abuse report, as a mailbox provider's feedback loop sends when a recipient
 * presses "report spam": a human part, the `message/feedback-report` fields and the complete
 * original message (§2: "message/rfc822" or its headers).
 */
export function buildComplaint(
  original: Message,
  originalRaw: Buffer,
  recipient: string,
  to: string,
): BuiltMessage {
  const boundary = newBoundary();
  const fields = [
    "Feedback-Type: abuse",
    "User-Agent: mailproof-simulator/1.0",
    "Version: 1",
    `Original-Mail-From: <${original.envelope.mailFrom ?? ""}>`,
    `Original-Rcpt-To: <${recipient}>`,
    `Arrival-Date: ${rfc5322Date(new Date(original.receivedAt))}`,
    `Reporting-MTA: dns; ${SIMULATOR_DOMAIN}`,
    ...(original.envelope.remoteAddress ? [`Source-IP: ${original.envelope.remoteAddress}`] : []),
  ];
  const raw = lines(
    `From: Feedback Loop <feedback@${SIMULATOR_DOMAIN}>`,
    `To: <${to}>`,
    `Subject: ${encodeHeaderValue(`Abuse report: ${original.subject ?? "(no subject)"}`)}`,
    `Date: ${rfc5322Date()}`,
    `Message-ID: ${newMessageId()}`,
    "Auto-Submitted: auto-generated",
    `${ORIGINAL_HEADER}: ${original.id}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    `This is an email abuse report for an email message received from ${original.envelope.remoteAddress ?? "an unknown address"}.`,
    `The recipient ${recipient} marked it as spam.`,
    `Original message: ${original.id}`,
    "",
    `--${boundary}`,
    "Content-Type: message/feedback-report",
    "",
    ...fields,
    "",
    `--${boundary}`,
    "Content-Type: message/rfc822",
    "Content-Disposition: inline",
    "",
    originalRaw.toString("latin1").replace(/\r?\n/g, "\r\n").replace(/\r\n$/, ""),
    "",
    `--${boundary}--`,
    "",
  );
  return { raw: Buffer.from(raw, "latin1"), mailFrom: "", rcptTo: [to] };
}
