/**
 * The Amazon SES mock: v2 and v1 send APIs, the mailbox simulator, and identity notifications
 * (Delivery, Bounce, Complaint) POSTed to `webhookUrl` inside SNS envelopes.
 */

import type { ProviderModule } from "../shared/context.js";
import type { ProviderEvent, WebhookRequest } from "../shared/types.js";
import { MAX_BODY, refuseSesRequest, sesRoutes } from "./routes.js";
import { snsEnvelope } from "./sns.js";

const NOTIFIED = new Set(["Delivery", "Bounce", "Complaint"]);

export const sesProvider: ProviderModule = {
  name: "ses",
  routes: sesRoutes,
  refuse: refuseSesRequest,
  maxRequestBytes: MAX_BODY,
  webhookRequests(events: ProviderEvent[]): WebhookRequest[] {
    return events
      .filter((event) => NOTIFIED.has(event.type))
      .map((event) => {
        const { sns, ...notification } = event.data as {
          sns: { region: string; signingCertUrl: string; unsubscribeUrl: string };
        };
        return snsEnvelope(notification, sns.region, sns, [event.id]);
      });
  },
};
