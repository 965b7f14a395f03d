/**
 * Resend API mock: `POST /resend/emails`, `POST /resend/emails/batch` (strict or permissive
 * `x-batch-validation`), `GET /resend/emails/:id`, with `Idempotency-Key` support
 * (https://resend.com/docs/api-reference/introduction).
 */

import { createHash, randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import {
  domainOf,
  isApiKeyAllowed,
  isRecipientAllowed,
  isSenderVerified,
  bareAddress,
} from "../shared/checks.js";
import type { ProviderContext, ProviderModule } from "../shared/context.js";
import { refusalOf, type RenderRefusal } from "../shared/refusal.js";
import {
  findTemplate,
  renderTemplate,
  TemplateRenderError,
  type RenderedTemplate,
} from "../shared/templates.js";
import { deliverResend, type ResendRecord } from "./deliver.js";
import { parseEmail, type ReEmail } from "./request.js";
import * as res from "./responses.js";
import { resendWebhookRequests } from "./webhooks.js";

/** Resend accepts emails up to 40 MB including attachments. */
const MAX_BODY = 40 * 1024 * 1024;
const MAX_BATCH = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Idempotent {
  hash: string;
  status: number;
  body: unknown;
}

function routes(ctx: ProviderContext): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    const refusal = refusalOf(err);
    if (refusal) return refuseLimit(c, refusal);
    ctx.logger.error({ err, path: c.req.path }, "resend mock failed");
    return res.errorResponse(c, res.faultError(500, 0));
  });

  /** Auth and rate limit, common to every endpoint. Returns the key and the headers to answer with, or a Response. */
  const admit = (c: Context): Response | { key: string; headers: Record<string, string> } => {
    const key = c.req
      .header("authorization")
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    if (!key) return res.errorResponse(c, res.missingApiKey());
    if (!isApiKeyAllowed(ctx.state(), key)) return res.errorResponse(c, res.invalidApiKey());
    if (ctx.state().paused) return res.errorResponse(c, res.quotaExceeded());
    const rate = ctx.rateLimit();
    const headers = rate ? res.rateLimitHeaders(rate) : {};
    if (rate && !rate.allowed)
      return res.errorResponse(c, res.rateLimited(rate.limit), {
        ...headers,
        "retry-after": String(rate.resetSeconds),
      });
    return { key, headers };
  };

  /** Parses JSON, replays an `Idempotency-Key` seen before, applies fault rules; then `run`. */
  const accept = async (
    c: Context,
    targets: (body: unknown) => { from: string | null; to: string[] },
    run: (body: unknown, headers: Record<string, string>, apiKey: string) => Promise<Response>,
  ) => {
    const gate = admit(c);
    if (gate instanceof Response) return gate;
    const admitted = gate.headers;
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return res.errorResponse(c, res.invalidJson(), admitted);
    }
    const idemKey = c.req.header("idempotency-key");
    const hash = createHash("sha256").update(text).digest("hex");
    if (idemKey) {
      const seen = ctx.recall<Idempotent>(`idempotency:${c.req.path}:${idemKey}`);
      if (seen && seen.hash !== hash)
        return res.errorResponse(c, res.idempotencyConflict(), admitted);
      if (seen) return c.json(seen.body, seen.status as 200, admitted);
    }
    const fault = await ctx.fault(targets(body), c.req.raw.signal);
    if (fault === "hung") return c.body(null, 504);
    if (fault) {
      const headers =
        fault.status === 429 ? { ...admitted, "retry-after": String(fault.retryAfter) } : admitted;
      return res.errorResponse(
        c,
        res.faultError(fault.status, ctx.state().rateLimit ?? 2),
        headers,
      );
    }
    const response = await run(body, admitted, gate.key);
    if (idemKey && response.status === 200) {
      const sent: unknown = await response.clone().json();
      ctx.remember(`idempotency:${c.req.path}:${idemKey}`, { hash, status: 200, body: sent });
    }
    return response;
  };

  /** The account checks Resend makes before accepting one email; null when it may be sent. */
  const refuse = (email: ReEmail): res.ResendError | null => {
    const state = ctx.state();
    // resend.dev is Resend's own testing domain (onboarding@resend.dev works on every account).
    if (domainOf(email.fromAddress) !== "resend.dev" && !isSenderVerified(state, email.fromAddress))
      return res.unverifiedDomain(domainOf(email.fromAddress));
    const recipients = [...email.to, ...email.cc, ...email.bcc].map(bareAddress);
    if (!recipients.every((r) => isRecipientAllowed(state, r))) {
      return res.testingOnly(
        state.verifiedSenders?.find((v) => v.includes("@")) ?? "the account owner",
      );
    }
    if (email.template && !findTemplate(state.templates, email.template.id))
      return res.templateNotFound();
    return null;
  };

  /** The rendered template, or the 422 Resend answers when its variables do not render. */
  const render = (
    email: ReEmail,
  ): { rendered: RenderedTemplate | null } | { error: res.ResendError } => {
    const template = email.template ? findTemplate(ctx.state().templates, email.template.id) : null;
    if (!template || !email.template) return { rendered: null };
    try {
      return { rendered: renderTemplate(template, email.template.variables) };
    } catch (err) {
      if (err instanceof TemplateRenderError) return { error: res.validation(err.message) };
      throw err;
    }
  };

  const send = (
    email: ReEmail,
    rendered: RenderedTemplate | null,
    apiKey: string,
  ): Promise<ResendRecord> => deliverResend(ctx, email, randomUUID(), rendered, apiKey);

  app.post("/emails", (c) =>
    accept(c, targetsOf, async (body, headers, apiKey) => {
      const parsed = parseEmail(body, { batch: false });
      if ("error" in parsed) return res.errorResponse(c, parsed.error, headers);
      const refused = refuse(parsed.email);
      if (refused) return res.errorResponse(c, refused, headers);
      const rendered = render(parsed.email);
      if ("error" in rendered) return res.errorResponse(c, rendered.error, headers);
      const record = await send(parsed.email, rendered.rendered, apiKey);
      return c.json({ id: record.id }, 200, headers);
    }),
  );

  app.post("/emails/batch", (c) =>
    accept(
      c,
      (body) => (Array.isArray(body) ? merge(body.map(targetsOf)) : { from: null, to: [] }),
      async (body, headers, apiKey) => {
        if (!Array.isArray(body))
          return res.errorResponse(
            c,
            res.validation("The request body must be an array of emails."),
            headers,
          );
        if (body.length > MAX_BATCH)
          return res.errorResponse(
            c,
            res.validation(`Too many emails. The maximum is ${MAX_BATCH} per batch.`),
            headers,
          );
        const permissive = c.req.header("x-batch-validation") === "permissive";
        const checked = body.map(
          (
            item,
          ): { error: res.ResendError } | { email: ReEmail; rendered: RenderedTemplate | null } => {
            const parsed = parseEmail(item, { batch: true });
            if ("error" in parsed) return parsed;
            const refused = refuse(parsed.email);
            if (refused) return { error: refused };
            const rendered = render(parsed.email);
            return "error" in rendered
              ? rendered
              : { email: parsed.email, rendered: rendered.rendered };
          },
        );
        const firstError = checked.find((r): r is { error: res.ResendError } => "error" in r);
        // Strict (the default): one invalid email fails the whole batch and nothing is sent.
        if (firstError && !permissive) return res.errorResponse(c, firstError.error, headers);
        const data: Array<{ id: string }> = [];
        const errors: Array<{ index: number; message: string }> = [];
        for (const [index, result] of checked.entries()) {
          if ("error" in result) errors.push({ index, message: result.error.message });
          else data.push({ id: (await send(result.email, result.rendered, apiKey)).id });
        }
        return c.json(permissive ? { data, errors } : { data }, 200, headers);
      },
    ),
  );

  app.get("/emails/:id", (c) => {
    const gate = admit(c);
    if (gate instanceof Response) return gate;
    const admitted = gate.headers;
    const id = c.req.param("id");
    if (!UUID.test(id)) return res.errorResponse(c, res.invalidId(), admitted);
    const record = ctx.recall<ResendRecord>(id);
    if (!record) return res.errorResponse(c, res.emailNotFound(), admitted);
    return c.json(record, 200, admitted);
  });

  app.all("*", (c) => res.errorResponse(c, res.notFoundRoute()));
  return app;
}

function targetsOf(body: unknown): { from: string | null; to: string[] } {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const strings = (v: unknown) =>
    typeof v === "string"
      ? [v]
      : Array.isArray(v)
        ? v.filter((x): x is string => typeof x === "string")
        : [];
  return {
    from: typeof b.from === "string" ? b.from : null,
    to: [b.to, b.cc, b.bcc].flatMap(strings),
  };
}

function merge(targets: Array<{ from: string | null; to: string[] }>) {
  return { from: targets[0]?.from ?? null, to: targets.flatMap((t) => t.to) };
}

/** Resend answers an oversized or invalid request with its 422 validation_error. */
const refuseLimit: RenderRefusal = (c, refusal) => {
  if (refusal.kind === "busy")
    return res.errorResponse(c, res.faultError(503, 0), {
      "retry-after": String(refusal.retryAfter),
    });
  return res.errorResponse(c, res.validation(refusal.message));
};

export const resend: ProviderModule = {
  name: "resend",
  routes,
  webhookRequests: resendWebhookRequests,
  refuse: refuseLimit,
  maxRequestBytes: MAX_BODY,
};
