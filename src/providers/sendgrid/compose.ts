/**
 * One SendGrid personalization → the message SendGrid delivers for it. Personalization values
 * override the message-level ones (from, subject, headers, custom_args); legacy `substitutions`
 * replace their keys in subject and bodies; a dynamic template (`d-…`) renders with Handlebars
 * and `dynamic_template_data` (https://www.twilio.com/docs/sendgrid/for-developers/sending-email/personalizations).
 * Categories and custom args are not part of the delivered MIME: they travel with the events.
 */

import { randomBytes } from "node:crypto";
import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import { domainOf } from "../shared/checks.js";
import type { RenderedTemplate } from "../shared/templates.js";
import { addOpenPixel, wrapHtmlLinks, wrapTextLinks } from "../shared/tracking.js";
import type { SgAddress, SgPersonalization, SgSendRequest } from "./request.js";

/** SendGrid's own DKIM domain, used when the sender domain is not authenticated. */
export const SENDGRID_DOMAIN = "sendgrid.net";
/** The account's default (unbranded) link domain for click/open tracking and unsubscribe links. */
const LINK_HOST = "u1234567.ct.sendgrid.net";

interface SgDelivery {
  /** `sg_message_id` of this personalization: the X-Message-Id plus a per-personalization suffix. */
  sgMessageId: string;
  /** The Message-ID header SendGrid writes. */
  messageIdHeader: string;
  recipients: string[];
  mail: MailComposerOptions;
  envelopeFrom: string;
  customArgs: Record<string, string>;
}

const format = (a: SgAddress) => (a.name ? { name: a.name, address: a.email } : a.email);

export function composeDelivery(
  request: SgSendRequest,
  p: SgPersonalization,
  index: number,
  xMessageId: string,
  template: RenderedTemplate | null,
): SgDelivery {
  const substitute = (value: string | null) => {
    if (value === null) return null;
    let out = value;
    for (const [key, replacement] of Object.entries(p.substitutions))
      out = out.split(key).join(replacement);
    return out;
  };
  const body = (type: string) =>
    request.content.find((c) => c.type.toLowerCase() === type)?.value ?? null;
  const from = p.from ?? request.from;
  const sgMessageId = `${xMessageId}.filterdrecv-${index}`;
  const messageIdHeader = `<${xMessageId}.${index}@geopod-ismtpd-${index}>`;
  const recipients = [...p.to, ...p.cc, ...p.bcc].map((a) => a.email);
  const headers: Record<string, string> = {
    ...request.headers,
    ...p.headers,
    "X-SG-EID": randomBytes(48).toString("base64"),
    "X-Entity-ID": randomBytes(16).toString("base64"),
  };
  const subject = substitute(p.subject ?? template?.subject ?? request.subject) ?? "";
  let html = substitute(template ? template.html : body("text/html"));
  let text = substitute(template ? template.text : body("text/plain"));
  // Tracking rewrites the delivered bodies (https://www.twilio.com/docs/sendgrid/ui/account-and-settings/tracking).
  const track = (kind: string) => (url: string) =>
    `https://${LINK_HOST}/${kind}?upn=${Buffer.from(url).toString("base64url")}`;
  if (request.tracking.click && html !== null) html = wrapHtmlLinks(html, track("ls/click"));
  if (request.tracking.clickText && text !== null) text = wrapTextLinks(text, track("ls/click"));
  if (request.tracking.open && html !== null)
    html = addOpenPixel(html, track("wf/open")(sgMessageId));
  if (request.unsubscribeGroup !== null) {
    // Unsubscribe groups add RFC 2369 / RFC 8058 one-click unsubscribe headers.
    const token = Buffer.from(`${request.unsubscribeGroup}:${sgMessageId}`).toString("base64url");
    headers["List-Unsubscribe"] =
      `<mailto:unsubscribe@${SENDGRID_DOMAIN}?subject=${token}>, <https://${LINK_HOST}/lu/unsubscribe?oc=${token}>`;
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
  }

  return {
    sgMessageId,
    messageIdHeader,
    recipients,
    envelopeFrom: bounceAddress(recipients[0] ?? from.email),
    customArgs: { ...request.customArgs, ...p.customArgs },
    mail: {
      from: format(from),
      to: p.to.map(format),
      cc: p.cc.length > 0 ? p.cc.map(format) : undefined,
      bcc: p.bcc.length > 0 ? p.bcc.map(format) : undefined,
      replyTo: request.replyTo.length > 0 ? request.replyTo.map(format) : undefined,
      subject,
      text: text ?? undefined,
      html: html ?? undefined,
      messageId: messageIdHeader,
      headers,
      attachments: request.attachments.map((a) => ({
        filename: a.filename,
        content: a.content,
        contentType: a.type ?? undefined,
        contentDisposition: a.disposition,
        ...(a.contentId ? { cid: a.contentId } : {}),
      })),
    },
  };
}

/** SendGrid's default Return-Path (VERP on its own domain, before link branding). */
function bounceAddress(recipient: string): string {
  const [local, domain] = [recipient.slice(0, recipient.lastIndexOf("@")), domainOf(recipient)];
  return `bounces+1234567-abcd-${local}=${domain}@${SENDGRID_DOMAIN}`;
}

/** A 22-character id like SendGrid's X-Message-Id. */
export function newXMessageId(): string {
  return randomBytes(16).toString("base64url").slice(0, 22);
}
