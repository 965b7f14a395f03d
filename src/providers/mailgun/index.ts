/**
 * The Mailgun mock: messages, messages.mime (with recipient-variables batches, `o:testmode`),
 * the events API, and signed `event-data` webhooks.
 */

import type { ProviderModule } from "../shared/context.js";
import { MAX_BODY, mailgunRoutes, refuseMailgunRequest } from "./routes.js";
import { mailgunWebhookRequests } from "./webhook.js";

export const mailgunProvider: ProviderModule = {
  name: "mailgun",
  routes: mailgunRoutes,
  webhookRequests: mailgunWebhookRequests,
  refuse: refuseMailgunRequest,
  maxRequestBytes: MAX_BODY,
};
