/**
 * What Resend does with an accepted email: build the message (Resend sends through Amazon SES,
 * so Message-ID and Return-Path are SES-shaped on the `send.` subdomain), capture it for the
 * recipients it reaches, log `email.sent` / `email.delivered` / `email.bounced` /
 * `email.complained` / `email.suppressed`, and keep the record `GET /emails/:id` returns.
 */

import { randomBytes } from "node:crypto";
import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import { bareAddress, domainOf, isSuppressed } from "../shared/checks.js";
import type { ProviderContext } from "../shared/context.js";
import type { RenderedTemplate } from "../shared/templates.js";
import type { NewProviderEvent } from "../shared/types.js";
import type { ReEmail } from "./request.js";
import { bounceDetails, resendEvent, simulatorOutcome } from "./webhooks.js";

/** Resend's sending infrastructure (Amazon SES) signs as well when the domain key is absent. */
const SES_DOMAIN = "amazonses.com";

/** The record behind `GET /emails/:id` (https://resend.com/docs/api-reference/emails/retrieve-email). */
export interface ResendRecord {
  object: "email";
  id: string;
  to: string[];
  from: string;
  created_at: string;
  subject: string;
  html: string | null;
  text: string | null;
  bcc: string[] | null;
  cc: string[] | null;
  reply_to: string[] | null;
  last_event: string;
  scheduled_at: string | null;
  tags: Array<{ name: string; value: string }>;
  message_id: string;
}

export async function deliverResend(
  ctx: ProviderContext,
  email: ReEmail,
  id: string,
  rendered: RenderedTemplate | null,
  apiKey: string,
): Promise<ResendRecord> {
  const state = ctx.state();
  const createdAt = new Date().toISOString();
  const subject = rendered?.subject ?? email.subject;
  const html = rendered ? rendered.html : email.html;
  const text = rendered ? rendered.text : email.text;
  const sesId = `0100${randomBytes(8).toString("hex")}-${id}-000000`;
  const record: ResendRecord = {
    object: "email",
    id,
    to: email.to,
    from: email.from,
    created_at: createdAt,
    subject,
    html,
    text,
    bcc: email.bcc.length > 0 ? email.bcc : null,
    cc: email.cc.length > 0 ? email.cc : null,
    reply_to: email.replyTo.length > 0 ? email.replyTo : null,
    last_event: "sent",
    scheduled_at: email.scheduledAt,
    tags: email.tags,
    message_id: `<${sesId}@email.amazonses.com>`,
  };
  const eventCtx = {
    emailId: id,
    from: email.from,
    to: email.to,
    subject,
    createdAt,
    tags: Object.fromEntries(email.tags.map((t) => [t.name, t.value])),
  };
  const recipients = [...email.to, ...email.cc, ...email.bcc].map(bareAddress);
  const suppressed = recipients.filter(
    (r) => isSuppressed(state, r) || simulatorOutcome(r) === "suppressed",
  );
  const bounced = recipients.filter((r) => simulatorOutcome(r) === "bounced");
  const reached = recipients.filter((r) => !suppressed.includes(r) && !bounced.includes(r));

  const events: NewProviderEvent[] = [];
  if (suppressed.length < recipients.length)
    events.push(resendEvent(eventCtx, "email.sent", null, null));
  let capturedId: string | null = null;
  if (reached.length > 0) {
    const mail: MailComposerOptions = {
      from: email.from,
      to: email.to,
      cc: email.cc.length > 0 ? email.cc : undefined,
      bcc: email.bcc.length > 0 ? email.bcc : undefined,
      replyTo: email.replyTo.length > 0 ? email.replyTo : undefined,
      subject,
      html: html ?? undefined,
      text: text ?? undefined,
      messageId: record.message_id,
      headers: email.headers,
      attachments: email.attachments.map((a) => ({
        filename: a.filename,
        content: a.content,
        contentType: a.contentType ?? undefined,
        ...(a.contentId ? { cid: a.contentId } : {}),
      })),
    };
    const message = await ctx.capture({
      providerMessageId: id,
      mail,
      // Resend's custom MAIL FROM is the `send.` subdomain of the sending domain.
      envelope: { from: `${sesId}@send.${domainOf(email.fromAddress)}`, to: reached },
      tags: email.tags.map((t) => `${t.name}:${t.value}`),
      apiKey,
      // Resend signs with the verified domain; Amazon SES underneath adds its amazonses.com signature.
      dkimDomains: [domainOf(email.fromAddress)],
      alwaysSignAs: [SES_DOMAIN],
    });
    capturedId = message.id;
  }
  for (const r of reached) {
    events.push(resendEvent(eventCtx, "email.delivered", r, capturedId));
    if (simulatorOutcome(r) === "complained")
      events.push(resendEvent(eventCtx, "email.complained", r, capturedId));
  }
  for (const r of bounced)
    events.push(resendEvent(eventCtx, "email.bounced", r, null, bounceDetails(false)));
  for (const r of suppressed)
    events.push(resendEvent(eventCtx, "email.suppressed", r, null, bounceDetails(true)));
  const last = events.at(-1);
  if (last) record.last_event = last.type.replace(/^email\./, "");
  ctx.emit(events);
  ctx.remember(id, record);
  return record;
}
