/**
 * One accepted Mailgun send: the account checks Mailgun makes before queueing (sandbox domains
 * deliver only to authorized recipients), then per recipient the event sequence Mailgun logs —
 * `accepted`, then `delivered`, or `failed` (suppress-bounce) for a suppressed address — and
 * the capture of what would be delivered. `o:testmode` stops after `accepted`: Mailgun accepts
 * test-mode messages but never delivers them.
 */

import { buildMime } from "../shared/capture.js";
import { isRecipientAllowed, isSuppressed } from "../shared/checks.js";
import type { ProviderContext } from "../shared/context.js";
import { headerValue, rawHeaders } from "../shared/raw-headers.js";
import { findTemplate, renderTemplate, TemplateRenderError } from "../shared/templates.js";
import type { NewProviderEvent } from "../shared/types.js";
import {
  composeDeliveries,
  mimeRecipients,
  type MailgunDelivery,
  type RenderedBody,
} from "./compose.js";
import { MailgunError } from "./errors.js";
import { mailgunEvent, suppressedBounce, type MailgunMessageFacts } from "./events.js";
import { mailgunMessageId, mailgunReturnPath } from "./ids.js";
import { recipientAddresses, type MailgunMimeRequest, type MailgunSendRequest } from "./request.js";

/** Mailgun's own domain signs when the sending domain has no key (DMARC then fails alignment). */
const PROVIDER_DKIM_DOMAIN = "mailgun.org";
/** Mailgun's limit on recipients per API call. */
const MAX_RECIPIENTS = 1000;

function isSandboxDomain(domain: string): boolean {
  return /^sandbox[0-9a-f]*\.mailgun\.org$/i.test(domain);
}

/** Sends and returns the message id Mailgun answers with (angle brackets included). */
export async function sendMailgun(
  ctx: ProviderContext,
  domain: string,
  request: MailgunSendRequest | MailgunMimeRequest,
  apiKey: string,
): Promise<string> {
  const state = ctx.state();
  const recipients =
    request.kind === "mime"
      ? mimeRecipients(request)
      : [...new Set(recipientAddresses([...request.to, ...request.cc, ...request.bcc]))];
  if (recipients.length > MAX_RECIPIENTS)
    throw new MailgunError(400, `Too many recipients: maximum is ${MAX_RECIPIENTS}`);
  if (state.sandbox || isSandboxDomain(domain)) {
    const refused = recipients.find((to) => !isRecipientAllowed({ ...state, sandbox: true }, to));
    if (refused) {
      throw new MailgunError(
        403,
        `Domain ${domain} is not allowed to send: Sandbox subdomains are for test purposes only. Please add your own domain or add the address to authorized recipients in Account Settings.`,
      );
    }
  }

  const deliveries =
    request.kind === "mime"
      ? mimeDelivery(request, domain, recipients)
      : composeDeliveries(request, domain, mailgunMessageId(domain), renderBody(ctx, request));
  const messageId = String(deliveries[0].mail.messageId ?? "").replace(/^<|>$/g, "");
  const events: NewProviderEvent[] = [];
  for (const delivery of deliveries) {
    const deliverable = delivery.recipients.filter((to) => !isSuppressed(state, to));
    let capturedId: string | null = null;
    let facts: MailgunMessageFacts;
    if (!request.testMode && deliverable.length > 0) {
      const message = await ctx.capture({
        providerMessageId: `<${messageId}>`,
        mail: delivery.mail,
        envelope: { from: delivery.envelopeFrom, to: deliverable },
        tags: request.tags,
        apiKey,
        dkimDomains: [domain, PROVIDER_DKIM_DOMAIN],
      });
      capturedId = message.id;
      facts = factsFrom(domain, messageId, delivery, request, {
        from: message.from ? formatAddress(message.from) : "",
        to: message.to.map(formatAddress).join(", "),
        subject: message.subject ?? "",
        size: message.size,
        attachments: message.attachments.map((a) => ({
          filename: a.filename ?? "",
          contentType: a.contentType,
          size: a.size,
        })),
      });
    } else {
      const raw = await buildMime(delivery.mail);
      const headers = rawHeaders(raw);
      facts = factsFrom(domain, messageId, delivery, request, {
        from: headerValue(headers, "from") ?? "",
        to: headerValue(headers, "to") ?? "",
        subject: headerValue(headers, "subject") ?? "",
        size: raw.length,
        attachments: [],
      });
    }
    for (const recipient of delivery.recipients) {
      const base = { providerMessageId: `<${messageId}>`, recipient };
      events.push({
        ...base,
        type: "accepted",
        messageId: null,
        data: mailgunEvent("accepted", facts, recipient),
      });
      if (request.testMode) continue;
      if (deliverable.includes(recipient)) {
        events.push({
          ...base,
          type: "delivered",
          messageId: capturedId,
          data: mailgunEvent("delivered", facts, recipient),
        });
      } else {
        events.push({
          ...base,
          type: "failed",
          messageId: null,
          data: mailgunEvent("failed", facts, recipient, suppressedBounce),
        });
      }
    }
  }
  ctx.emit(events);
  ctx.logger.info(
    {
      domain,
      providerMessageId: messageId,
      kind: request.kind,
      recipients: recipients.length,
      testMode: request.testMode,
    },
    "mailgun send",
  );
  return `<${messageId}>`;
}

function mimeDelivery(
  request: MailgunMimeRequest,
  domain: string,
  recipients: string[],
): MailgunDelivery[] {
  // Mailgun keeps the Message-Id of a MIME message it is given and adds one when it is missing.
  const existing = headerValue(rawHeaders(request.message), "message-id");
  const messageId = existing ? existing.trim() : `<${mailgunMessageId(domain)}>`;
  const raw = existing
    ? request.message
    : Buffer.concat([Buffer.from(`Message-Id: ${messageId}\r\n`), request.message]);
  return [
    {
      recipients,
      envelopeFrom: mailgunReturnPath(domain, recipients[0] ?? ""),
      variables: request.variables,
      mail: { raw, messageId },
    },
  ];
}

function renderBody(ctx: ProviderContext, request: MailgunSendRequest): RenderedBody {
  if (!request.template)
    return { subject: request.subject, text: request.text, html: request.html };
  const template = findTemplate(ctx.state().templates, request.template.name);
  if (!template) throw new MailgunError(400, `template '${request.template.name}' not found`);
  try {
    // Mailgun templates are Handlebars; variables come from t:variables (or X-Mailgun-Variables) and v: fields.
    const rendered = renderTemplate(template, {
      ...request.variables,
      ...request.template.variables,
    });
    return {
      subject: request.subject || rendered.subject || "",
      html: rendered.html,
      text: request.template.text || rendered.html === null ? rendered.text : request.text,
    };
  } catch (err) {
    if (err instanceof TemplateRenderError) throw new MailgunError(400, err.message);
    throw err;
  }
}

function factsFrom(
  domain: string,
  messageId: string,
  delivery: MailgunDelivery,
  request: MailgunSendRequest | MailgunMimeRequest,
  message: Pick<MailgunMessageFacts, "from" | "to" | "subject" | "size" | "attachments">,
): MailgunMessageFacts {
  return {
    domain,
    messageId,
    ...message,
    envelopeFrom: delivery.envelopeFrom,
    tags: request.tags,
    userVariables: delivery.variables,
    testMode: request.testMode,
  };
}

function formatAddress(address: { name: string | null; address: string }): string {
  return address.name ? `${address.name} <${address.address}>` : address.address;
}
