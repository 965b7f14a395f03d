/**
 * What SendGrid does with one personalization of an accepted request: render the template, build
 * the message, capture it for the recipients not suppressed, and log processed, delivered and
 * dropped events.
 */

import { domainOf, isSuppressed } from "../shared/checks.js";
import type { ProviderContext } from "../shared/context.js";
import {
  findTemplate,
  renderTemplate,
  TemplateRenderError,
  type RenderedTemplate,
} from "../shared/templates.js";
import type { NewProviderEvent } from "../shared/types.js";
import { composeDelivery, SENDGRID_DOMAIN } from "./compose.js";
import type { SgPersonalization, SgSendRequest } from "./request.js";
import { sgEvent } from "./webhooks.js";

export async function deliverSendGrid(
  ctx: ProviderContext,
  request: SgSendRequest,
  p: SgPersonalization,
  index: number,
  xMessageId: string,
  apiKey: string,
): Promise<void> {
  const state = ctx.state();
  const template = request.templateId ? findTemplate(state.templates, request.templateId) : null;
  const data = { ...p.dynamicTemplateData };
  let rendered: RenderedTemplate | null = null;
  let renderError: string | null = null;
  try {
    rendered = template ? renderTemplate(template, data) : null;
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    renderError = err.message;
  }
  const delivery = composeDelivery(request, p, index, xMessageId, rendered);
  const base = {
    xMessageId,
    sgMessageId: delivery.sgMessageId,
    messageIdHeader: delivery.messageIdHeader,
    categories: request.categories,
    customArgs: delivery.customArgs,
  };
  const events: NewProviderEvent[] = [];
  const drop = (email: string, reason: string) =>
    events.push(sgEvent({ ...base, event: "dropped", email, messageId: null, reason }));

  // An unknown (or unrenderable) template is accepted (202) and then dropped, as SendGrid does
  // (sendgrid/docs#2616).
  if (request.templateId && (!template || renderError)) {
    if (renderError)
      ctx.logger.info(
        { templateId: request.templateId, error: renderError },
        "sendgrid template could not be rendered",
      );
    for (const email of delivery.recipients) drop(email, "Invalid template");
    ctx.emit(events);
    return;
  }
  const deliverable = delivery.recipients.filter((email) => !isSuppressed(state, email));
  for (const email of delivery.recipients)
    if (isSuppressed(state, email)) drop(email, "Unsubscribed Address");
  if (deliverable.length > 0) {
    const from = (p.from ?? request.from).email;
    const message = await ctx.capture({
      providerMessageId: xMessageId,
      mail: delivery.mail,
      envelope: { from: delivery.envelopeFrom, to: deliverable },
      tags: request.categories,
      apiKey,
      dkimDomains: [domainOf(from), SENDGRID_DOMAIN],
    });
    for (const email of deliverable)
      events.push(sgEvent({ ...base, event: "processed", email, messageId: message.id }));
    for (const email of deliverable)
      events.push(sgEvent({ ...base, event: "delivered", email, messageId: message.id }));
  }
  ctx.emit(events);
}
