/**
 * Postmark Email API mock: `POST /postmark/email`, `/email/batch`, `/email/withTemplate` and
 * `/email/batchWithTemplates`, authenticated by `X-Postmark-Server-Token` (`POSTMARK_API_TEST`
 * validates and delivers nothing, as Postmark's test token does).
 */

import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import {
  domainOf,
  isApiKeyAllowed,
  isRecipientAllowed,
  isSenderPending,
  isSenderVerified,
  isSuppressed,
} from "../shared/checks.js";
import type { ProviderContext, ProviderModule } from "../shared/context.js";
import { refusalOf, type RenderRefusal } from "../shared/refusal.js";
import {
  findTemplate,
  renderTemplate,
  TemplateRenderError,
  type RenderedTemplate,
} from "../shared/templates.js";
import type { NewProviderEvent } from "../shared/types.js";
import { composePostmark, POSTMARK_DOMAIN } from "./compose.js";
import { parseMessage, type PmMessage } from "./request.js";
import * as res from "./responses.js";
import {
  bounceEvent,
  deliveryEvent,
  postmarkWebhookRequests,
  simulatedBounce,
} from "./webhooks.js";

/** Postmark accepts messages up to 10 MB including attachments; a batch up to 50 MB. */
const MAX_BODY = 50 * 1024 * 1024;
const MAX_BATCH = 500;
const TEST_TOKEN = "POSTMARK_API_TEST";

type Outcome = { status: 200 | 422; body: Record<string, unknown> };

function routes(ctx: ProviderContext): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    const refusal = refusalOf(err);
    if (refusal) return refuse(c, refusal);
    ctx.logger.error({ err, path: c.req.path }, "postmark mock failed");
    return res.errorResponse(c, 500, res.faultError(500));
  });

  /** Auth, rate limit, JSON and fault checks shared by every endpoint; a Response means stop. */
  const guard = async (
    c: Context,
    targets: (body: unknown) => { from: string | null; to: string[] },
  ): Promise<Response | { body: unknown; token: string }> => {
    const token = c.req.header("x-postmark-server-token");
    if (!token) return res.errorResponse(c, 401, res.missingToken());
    const testMode = token === TEST_TOKEN;
    if (!testMode && !isApiKeyAllowed(ctx.state(), token))
      return res.errorResponse(c, 401, res.badToken());
    if (!testMode && ctx.state().paused) return res.errorResponse(c, 422, res.outOfCredits());
    const rate = ctx.rateLimit();
    if (rate && !rate.allowed)
      return res.errorResponse(c, 429, res.faultError(429), {
        "Retry-After": String(rate.resetSeconds),
      });
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return res.errorResponse(c, 422, res.invalidJson());
    }
    const fault = await ctx.fault(targets(body), c.req.raw.signal);
    if (fault === "hung") return c.body(null, 504);
    if (fault)
      return res.errorResponse(
        c,
        fault.status,
        res.faultError(fault.status),
        fault.status === 429 ? { "Retry-After": String(fault.retryAfter) } : {},
      );
    return { body, token };
  };

  const single = (templated: boolean) => async (c: Context) => {
    const guarded = await guard(c, targetsOf);
    if (guarded instanceof Response) return guarded;
    const outcome = await send(guarded.body, templated, guarded.token);
    return c.json(outcome.body, outcome.status);
  };
  const batch = (templated: boolean) => async (c: Context) => {
    const guarded = await guard(c, (body) => mergeTargets(batchItems(body, templated) ?? []));
    if (guarded instanceof Response) return guarded;
    const items = batchItems(guarded.body, templated);
    if (!items) return res.errorResponse(c, 422, res.incompatibleJson());
    if (items.length > MAX_BATCH) return res.errorResponse(c, 422, res.tooManyBatchMessages());
    const results: Array<Record<string, unknown>> = [];
    // Each message succeeds or fails on its own; the batch itself answers 200.
    for (const item of items) results.push((await send(item, templated, guarded.token)).body);
    return c.json(results, 200);
  };

  app.post("/email", single(false));
  app.post("/email/withTemplate", single(true));
  app.post("/email/batch", batch(false));
  app.post("/email/batchWithTemplates", batch(true));
  app.all("*", (c) =>
    res.errorResponse(c, 404, res.err(404, "The requested resource was not found.")),
  );

  const send = async (value: unknown, templated: boolean, token: string): Promise<Outcome> => {
    const testMode = token === TEST_TOKEN;
    const parsed = parseMessage(value, templated);
    if ("error" in parsed) return { status: 422, body: { ...parsed.error } };
    const message = parsed.message;
    const state = ctx.state();
    const all = [...message.to, ...message.cc, ...message.bcc];
    if (isSenderPending(state, message.from.address))
      return { status: 422, body: { ...res.senderNotConfirmed(message.from.address) } };
    if (!isSenderVerified(state, message.from.address))
      return { status: 422, body: { ...res.senderNotFound(message.from.address) } };
    if (!all.every((r) => isRecipientAllowed(state, r.address)))
      return { status: 422, body: { ...res.accountPending() } };

    let rendered: RenderedTemplate | null = null;
    if (message.template) {
      const template = findTemplate(state.templates, message.template.idOrAlias);
      if (!template) return { status: 422, body: { ...res.templateNotFound() } };
      try {
        // Postmark's Mustachio: {{var}} is HTML-escaped in the HTML body, {{{var}}} is raw.
        rendered = renderTemplate(template, message.template.model);
      } catch (err) {
        if (err instanceof TemplateRenderError)
          return { status: 422, body: { ...res.templateInvalid(err.message) } };
        throw err;
      }
    }
    const toText = message.to.map((a) => a.address).join(", ");
    if (testMode) {
      return {
        status: 200,
        body: {
          To: toText,
          SubmittedAt: res.submittedAt(),
          MessageID: "00000000-0000-0000-0000-000000000000",
          ErrorCode: 0,
          Message: "Test job accepted",
        },
      };
    }
    const inactive = all.filter((r) => isSuppressed(state, r.address));
    if (inactive.length === all.length)
      return { status: 422, body: { ...res.inactiveRecipients(inactive.map((r) => r.address)) } };

    const messageId = randomUUID();
    await deliver(
      message,
      messageId,
      all.filter((r) => !isSuppressed(state, r.address)),
      rendered,
      token,
    );
    return {
      status: 200,
      body: {
        To: toText,
        SubmittedAt: res.submittedAt(),
        MessageID: messageId,
        ErrorCode: 0,
        Message: "OK",
      },
    };
  };

  const deliver = async (
    message: PmMessage,
    messageId: string,
    recipients: PmMessage["to"],
    rendered: RenderedTemplate | null,
    apiKey: string,
  ) => {
    const eventCtx = {
      messageId,
      messageStream: message.messageStream,
      tag: message.tag,
      metadata: message.metadata,
      from: message.from.address,
      subject: rendered?.subject ?? message.subject ?? "",
    };
    const events: NewProviderEvent[] = [];
    const bounced = recipients.filter((r) => simulatedBounce(r.address));
    for (const [i, r] of bounced.entries()) {
      const bounce = simulatedBounce(r.address);
      if (!bounce) continue;
      events.push(bounceEvent(eventCtx, r.address, bounce, Date.now() * 10 + i));
      // A hard bounce adds the address to the stream's suppression list, as Postmark does.
      if (bounce.inactive)
        ctx.updateState({ suppressions: [...ctx.state().suppressions, r.address.toLowerCase()] });
    }
    const deliverable = recipients.filter((r) => !simulatedBounce(r.address));
    if (deliverable.length > 0) {
      const { mail, envelopeFrom } = composePostmark(message, messageId, deliverable, rendered);
      const captured = await ctx.capture({
        providerMessageId: messageId,
        mail,
        envelope: { from: envelopeFrom, to: deliverable.map((r) => r.address) },
        tags: message.tag ? [message.tag] : [],
        apiKey,
        // Postmark signs with the sender's domain when it is authenticated, and always with its own.
        dkimDomains: [domainOf(message.from.address)],
        alwaysSignAs: [POSTMARK_DOMAIN],
      });
      for (const r of deliverable) events.push(deliveryEvent(eventCtx, r.address, captured.id));
    }
    ctx.emit(events);
  };
  return app;
}

function targetsOf(body: unknown): { from: string | null; to: string[] } {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    from: text(b.From) || null,
    to: [b.To, b.Cc, b.Bcc]
      .flatMap((v) => text(v).split(","))
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

function mergeTargets(items: unknown[]) {
  const targets = items.map(targetsOf);
  return { from: targets[0]?.from ?? null, to: targets.flatMap((t) => t.to) };
}

/** `/email/batch` takes an array; `/email/batchWithTemplates` takes `{ Messages: [...] }`. */
function batchItems(body: unknown, templated: boolean): unknown[] | null {
  if (templated) {
    const messages = (body as { Messages?: unknown } | null)?.Messages;
    return Array.isArray(messages) ? messages : null;
  }
  return Array.isArray(body) ? body : null;
}

/** Postmark answers an oversized or invalid request with 422 and ErrorCode 300 "Invalid email request". */
const refuse: RenderRefusal = (c, refusal) => {
  if (refusal.kind === "busy")
    return res.errorResponse(c, 503, res.faultError(503), {
      "Retry-After": String(refusal.retryAfter),
    });
  return res.errorResponse(c, 422, res.invalidRequest(refusal.message));
};

export const postmark: ProviderModule = {
  name: "postmark",
  routes,
  webhookRequests: postmarkWebhookRequests,
  refuse,
  maxRequestBytes: MAX_BODY,
};
