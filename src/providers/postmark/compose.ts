/**
 * A Postmark message → the MIME message Postmark delivers: `Message-ID: <MessageID@mtasv.net>`,
 * `X-PM-Message-Id`, `X-PM-Tag` for the tag, Postmark's bounce Return-Path. Metadata is not
 * part of the delivered message; it travels with the webhooks.
 */

import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import type { RenderedTemplate } from "../shared/templates.js";
import { addOpenPixel, wrapHtmlLinks, wrapTextLinks } from "../shared/tracking.js";
import type { PmAddress, PmMessage } from "./request.js";

/** Postmark's own sending domain: its DKIM signs when the sender domain is not authenticated. */
export const POSTMARK_DOMAIN = "pm.mtasv.net";
const RETURN_PATH = `pm_bounces@${POSTMARK_DOMAIN}`;

const format = (a: PmAddress) => (a.name ? { name: a.name, address: a.address } : a.address);

export function composePostmark(
  message: PmMessage,
  messageId: string,
  recipients: PmAddress[],
  template: RenderedTemplate | null,
) {
  const keep = new Set(recipients.map((r) => r.address.toLowerCase()));
  const only = (list: PmAddress[]) =>
    list.filter((a) => keep.has(a.address.toLowerCase())).map(format);
  const headers = [
    ...message.headers.map((h) => ({ key: h.name, value: h.value })),
    { key: "X-PM-Message-Id", value: messageId },
  ];
  if (message.tag) headers.push({ key: "X-PM-Tag", value: message.tag });
  // Link and open tracking rewrite the delivered bodies (https://postmarkapp.com/support/article/1057-link-tracking).
  const track = (url: string) =>
    `https://click.pstmrk.it/3s/${encodeURIComponent(url.replace(/^https?:\/\//, ""))}/${messageId.slice(0, 8)}/${Buffer.from(url).toString("base64url").slice(0, 12)}`;
  let html = (template ? template.html : message.htmlBody) ?? null;
  let text = (template ? template.text : message.textBody) ?? null;
  if (html !== null && (message.trackLinks === "HtmlAndText" || message.trackLinks === "HtmlOnly"))
    html = wrapHtmlLinks(html, track);
  if (text !== null && (message.trackLinks === "HtmlAndText" || message.trackLinks === "TextOnly"))
    text = wrapTextLinks(text, track);
  if (html !== null && message.trackOpens)
    html = addOpenPixel(html, `https://ea.pstmrk.it/open?m=${messageId}`);
  const mail: MailComposerOptions = {
    from: format(message.from),
    to: only(message.to),
    cc: only(message.cc),
    bcc: only(message.bcc),
    replyTo: message.replyTo.length > 0 ? message.replyTo.map(format) : undefined,
    subject: template?.subject ?? message.subject ?? "",
    text: text ?? undefined,
    html: html ?? undefined,
    messageId: `<${messageId}@mtasv.net>`,
    headers,
    attachments: message.attachments.map((a) => ({
      filename: a.name,
      content: a.content,
      contentType: a.contentType ?? undefined,
      ...(a.contentId ? { cid: a.contentId, contentDisposition: "inline" } : {}),
    })),
  };
  return { mail, envelopeFrom: RETURN_PATH };
}
