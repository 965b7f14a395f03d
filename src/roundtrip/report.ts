import type { Message } from "../core/types.js";
import {
  encodeHeaderValue,
  lines,
  newBoundary,
  newMessageId,
  ORIGINAL_HEADER,
  rfc5322Date,
  type BuiltMessage,
} from "./mime.js";

/** One body part of the report; its headers come in the order description, type, disposition. */
interface ReportPart {
  contentType: string;
  description?: string;
  disposition?: string;
  body: string;
}

interface ReportOptions {
  /** The message reported on: its id goes in the X-Mailproof-Original header and the notification. */
  original: Message;
  /** The From header, the reporter speaking. */
  from: string;
  /** Where the report goes, as header and envelope recipient. */
  to: string;
  subject: string;
  /** RFC 3834 §5: "auto-replied" answers the message, "auto-generated" is not a reply to it. */
  autoSubmitted: "auto-generated" | "auto-replied";
  /** The `report-type` parameter naming the second part's type (RFC 6522 §3). */
  reportType: string;
  /** Text before the first part, for mail readers that do not understand MIME. */
  preamble?: string;
  /** The human-readable first part, in plain text; the original's id is added below it. */
  notification: { text: string; description?: string };
  /** The machine-readable second part. */
  report: ReportPart;
  /** The third part: the original message or its headers. */
  returned: ReportPart;
}

/**
 * An RFC 6522 multipart/report from the null sender (RFC 5321 §4.5.5, so that nothing ever
 * answers it), linked to the message it reports on through the X-Mailproof-Original header.
 */
export function buildReport(options: ReportOptions): BuiltMessage {
  const { original, to, notification } = options;
  const boundary = newBoundary();
  const human: ReportPart = {
    contentType: "text/plain; charset=utf-8",
    description: notification.description,
    body: lines(notification.text, `Original message: ${original.id}`),
  };
  const part = (p: ReportPart) => [
    `--${boundary}`,
    ...(p.description ? [`Content-Description: ${p.description}`] : []),
    `Content-Type: ${p.contentType}`,
    ...(p.disposition ? [`Content-Disposition: ${p.disposition}`] : []),
    "",
    p.body,
    "",
  ];
  const raw = lines(
    `From: ${options.from}`,
    `To: <${to}>`,
    `Subject: ${encodeHeaderValue(options.subject)}`,
    `Date: ${rfc5322Date()}`,
    `Message-ID: ${newMessageId()}`,
    `Auto-Submitted: ${options.autoSubmitted}`,
    `${ORIGINAL_HEADER}: ${original.id}`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=${options.reportType}; boundary="${boundary}"`,
    "",
    ...(options.preamble === undefined ? [] : [options.preamble, ""]),
    ...[human, options.report, options.returned].flatMap(part),
    `--${boundary}--`,
    "",
  );
  return { raw: Buffer.from(raw, "latin1"), mailFrom: "", rcptTo: [to] };
}
