import type { Message } from "../core/types.js";
import { lines, rfc5322Date, SIMULATOR_DOMAIN, type BuiltMessage } from "./mime.js";
import { buildReport } from "./report.js";

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
  return buildReport({
    original,
    from: `Feedback Loop <feedback@${SIMULATOR_DOMAIN}>`,
    to,
    subject: `Abuse report: ${original.subject ?? "(no subject)"}`,
    autoSubmitted: "auto-generated",
    reportType: "feedback-report",
    notification: {
      text: lines(
        `This is an email abuse report for an email message received from ${original.envelope.remoteAddress ?? "an unknown address"}.`,
        `The recipient ${recipient} marked it as spam.`,
      ),
    },
    report: { contentType: "message/feedback-report", body: lines(...fields) },
    returned: {
      contentType: "message/rfc822",
      disposition: "inline",
      body: originalRaw.toString("latin1").replace(/\r?\n/g, "\r\n").replace(/\r\n$/, ""),
    },
  });
}
