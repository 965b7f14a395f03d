/**
 * Builds what SES delivers for one send: for Simple and Template content SES writes the MIME
 * message itself (with its own Message-ID); Raw content is delivered as given. The envelope
 * sender is SES's default MAIL FROM domain, amazonses.com, unless a custom one is configured,
 * so SPF passes for amazonses.com and DMARC alignment rests on DKIM, as in production.
 */

import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import { SesError } from "./errors.js";
import { headerAddresses, headerValue, rawHeaders } from "../shared/raw-headers.js";
import {
  allRecipients,
  type SesAttachment,
  type SesDestination,
  type SesHeader,
  type SesSendRequest,
} from "./send-request.js";

export interface RenderedTemplate {
  subject: string;
  text: string | null;
  html: string | null;
}

type SesPayload = { kind: "mail"; mail: MailComposerOptions } | { kind: "raw"; raw: Buffer };

interface SesComposed {
  from: string;
  recipients: string[];
  destination: SesDestination;
  envelopeFrom: string;
  payload: SesPayload;
}

/** `template` is the rendered template when the content is a Template, else null. */
export function composeSes(
  request: SesSendRequest,
  messageIdHeader: string,
  sesId: string,
  template: RenderedTemplate | null,
): SesComposed {
  const envelopeFrom = `${sesId}@amazonses.com`;
  const content = request.content;
  if (content.kind === "raw") {
    const headers = rawHeaders(content.data);
    const from =
      request.from ?? headerAddresses(headers, "from")[0] ?? headerAddresses(headers, "sender")[0];
    if (!from) throw new SesError("messageRejected", "Missing required header 'From'.");
    const destination = request.destination ?? {
      to: headerAddresses(headers, "to"),
      cc: headerAddresses(headers, "cc"),
      bcc: headerAddresses(headers, "bcc"),
    };
    const recipients = allRecipients(destination);
    if (recipients.length === 0) throw new SesError("invalidParameter", "Missing final '@domain'");
    // SES gives the delivered message its own Message-ID unless the sender set one.
    const raw = headerValue(headers, "message-id")
      ? content.data
      : Buffer.concat([Buffer.from(`Message-ID: ${messageIdHeader}\r\n`), content.data]);
    return { from, recipients, destination, envelopeFrom, payload: { kind: "raw", raw } };
  }
  const from = request.from;
  if (!from)
    throw new SesError(
      "validation",
      "1 validation error detected: Value null at 'fromEmailAddress' failed to satisfy constraint: Member must not be null",
    );
  const destination = request.destination ?? { to: [], cc: [], bcc: [] };
  const recipients = allRecipients(destination);
  if (recipients.length === 0)
    throw new SesError(
      "validation",
      "1 validation error detected: Value at 'destination' failed to satisfy constraint: Member must have at least one recipient",
    );
  const body =
    content.kind === "simple"
      ? { subject: content.subject, text: content.text, html: content.html }
      : template;
  if (!body) throw new SesError("templateMissing", "Template could not be rendered");
  const mail: MailComposerOptions = {
    from,
    to: destination.to.length > 0 ? destination.to : undefined,
    cc: destination.cc.length > 0 ? destination.cc : undefined,
    replyTo: request.replyTo.length > 0 ? request.replyTo : undefined,
    subject: body.subject,
    text: body.text ?? undefined,
    html: body.html ?? undefined,
    messageId: messageIdHeader,
    headers: headersFor(content.headers),
    attachments: content.attachments.map(attachmentFor),
  };
  return { from, recipients, destination, envelopeFrom, payload: { kind: "mail", mail } };
}

function headersFor(headers: SesHeader[]) {
  return headers.map((header) => ({ key: header.name, value: header.value }));
}

function attachmentFor(attachment: SesAttachment) {
  return {
    filename: attachment.filename,
    content: attachment.content,
    contentType: attachment.contentType ?? undefined,
    contentDisposition: attachment.disposition,
    cid: attachment.contentId ?? undefined,
    headers: attachment.description ? { "Content-Description": attachment.description } : undefined,
  };
}
