/**
 * SendGrid v3 Mail Send mock: `POST /sendgrid/v3/mail/send`, checked in SendGrid's order
 * (size, auth, rate limit, body, sender identity), answered `202` with `X-Message-Id`, one
 * captured message per personalization, and the processed/delivered/dropped events.
 */

import { Hono } from "hono";
import { isApiKeyAllowed, isSenderVerified, isSuppressed } from "../shared/checks.js";
import type { ProviderContext, ProviderModule } from "../shared/context.js";
import { refusalOf, type RenderRefusal } from "../shared/refusal.js";
import { newXMessageId } from "./compose.js";
import { deliverSendGrid } from "./deliver.js";
import { parseSendRequest } from "./request.js";
import * as res from "./responses.js";
import { sendgridWebhookRequests } from "./webhooks.js";

/** Mail Send accepts up to 30 MB per request. */
const MAX_BODY = 30 * 1024 * 1024;

function routes(ctx: ProviderContext): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    const refusal = refusalOf(err);
    if (refusal) return refuse(c, refusal);
    ctx.logger.error({ err, path: c.req.path }, "sendgrid mock failed");
    return res.errorResponse(c, 500, res.faultErrors(500));
  });

  // The bounce suppression list, one address (https://www.twilio.com/docs/sendgrid/api-reference/bounces-api/retrieve-a-bounce).
  app.get("/v3/suppression/bounces/:email", (c) => {
    const key = c.req
      .header("authorization")
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    if (!isApiKeyAllowed(ctx.state(), key)) return res.errorResponse(c, 401, res.invalidKey());
    const email = decodeURIComponent(c.req.param("email")).toLowerCase();
    if (!isSuppressed(ctx.state(), email)) return c.json([]);
    return c.json([
      {
        created: Math.floor(Date.now() / 1000),
        email,
        reason: "550 5.1.1 The email account that you tried to reach does not exist.",
        status: "5.1.1",
      },
    ]);
  });

  app.post("/v3/mail/send", async (c) => {
    const authorization = c.req.header("authorization");
    if (!authorization) return res.errorResponse(c, 401, res.authorizationRequired());
    const key = authorization.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const state = ctx.state();
    if (!key || !isApiKeyAllowed(state, key)) return res.errorResponse(c, 401, res.invalidKey());
    if (state.paused) return res.errorResponse(c, 401, res.one("Maximum credits exceeded"));

    const limit = ctx.rateLimit();
    const limitHeaders = limit ? res.rateLimitHeaders(limit) : {};
    if (limit && !limit.allowed)
      return res.errorResponse(c, 429, res.faultErrors(429), limitHeaders);

    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return res.errorResponse(c, 400, res.one("Bad Request"), limitHeaders);
    }
    const parsed = parseSendRequest(body);
    if ("errors" in parsed) return res.errorResponse(c, 400, parsed.errors, limitHeaders);
    const request = parsed.request;

    const senders = [
      request.from.email,
      ...request.personalizations.flatMap((p) => (p.from ? [p.from.email] : [])),
    ];
    const recipients = request.personalizations.flatMap((p) =>
      [...p.to, ...p.cc, ...p.bcc].map((a) => a.email),
    );
    const fault = await ctx.fault({ from: request.from.email, to: recipients }, c.req.raw.signal);
    if (fault === "hung") return c.body(null, 504);
    if (fault) {
      const headers =
        fault.status === 429
          ? { ...limitHeaders, "Retry-After": String(fault.retryAfter) }
          : limitHeaders;
      return res.errorResponse(c, fault.status, res.faultErrors(fault.status), headers);
    }
    if (!senders.every((s) => isSenderVerified(state, s)))
      return res.errorResponse(c, 403, res.unverifiedSender(), limitHeaders);

    // sandbox_mode validates the request and delivers nothing: 200 with an empty body
    // (https://www.twilio.com/docs/sendgrid/for-developers/sending-email/sandbox-mode).
    if (request.sandboxMode || state.sandbox) return c.body(null, 200, limitHeaders);

    const xMessageId = newXMessageId();
    for (const [index, p] of request.personalizations.entries())
      await deliverSendGrid(ctx, request, p, index, xMessageId, key);
    return c.body(null, 202, { ...limitHeaders, "X-Message-Id": xMessageId });
  });

  app.all("*", (c) => res.errorResponse(c, 404, res.one("resource not found")));
  return app;
}

const refuse: RenderRefusal = (c, refusal) => {
  if (refusal.kind === "too-large")
    return res.errorResponse(
      c,
      413,
      res.one(
        `The JSON payload you have included in your request is too large. ${refusal.message}`,
      ),
    );
  if (refusal.kind === "busy")
    return res.errorResponse(c, 503, res.faultErrors(503), {
      "Retry-After": String(refusal.retryAfter),
    });
  return res.errorResponse(c, 400, res.one(refusal.message, "categories"));
};

export const sendgrid: ProviderModule = {
  name: "sendgrid",
  routes,
  webhookRequests: sendgridWebhookRequests,
  refuse,
  maxRequestBytes: MAX_BODY,
};
