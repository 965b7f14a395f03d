/**
 * The Mailgun API below `/mailgun`: `POST /v3/:domain/messages`, `POST /v3/:domain/messages.mime`
 * `GET /v3/:domain/events` and `POST /v1/analytics/logs`. Point mailgun.js at it with `url: "http://HOST:PORT/mailgun"`.
 * Requests authenticate with HTTP Basic `api:<API key>`
 * (https://documentation.mailgun.com/docs/mailgun/api-reference/authentication).
 */

import { Hono, type Context } from "hono";
import { isApiKeyAllowed, isSenderVerified, isSuppressed } from "../shared/checks.js";
import type { ProviderContext } from "../shared/context.js";
import { refusalOf, type RenderRefusal } from "../shared/refusal.js";
import {
  isMailgunError,
  MailgunError,
  mailgunErrorResponse,
  unauthorizedResponse,
} from "./errors.js";
import { listEvents } from "./events-api.js";
import { listLogs } from "./logs-api.js";
import {
  parseMessagesForm,
  parseMimeForm,
  recipientAddresses,
  type MailgunMimeRequest,
  type MailgunSendRequest,
} from "./request.js";
import { sendMailgun } from "./send.js";

/** 25 MB of message plus room for the other form fields. */
export const MAX_BODY = 26 * 1024 * 1024;

const FAULT_MESSAGES: Record<number, string> = {
  429: "Too many requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** The API key the request authenticated with, set by the auth middleware for the handlers. */
type MailgunEnv = { Variables: { apiKey: string } };

export function mailgunRoutes(ctx: ProviderContext): Hono {
  const app = new Hono<MailgunEnv>();

  // Every Mailgun endpoint authenticates first, then counts against the rate limit.
  app.use("*", async (c, next) => {
    const key = basicPassword(c.req.header("authorization"));
    if (!key || !isApiKeyAllowed(ctx.state(), key)) return unauthorizedResponse();
    c.set("apiKey", key);
    const limit = ctx.rateLimit();
    if (limit && !limit.allowed) {
      return Response.json(
        { message: FAULT_MESSAGES[429] },
        { status: 429, headers: { "retry-after": String(limit.resetSeconds) } },
      );
    }
    await next();
  });

  const send = async (
    c: Context<MailgunEnv>,
    parse: (form: FormData) => Promise<MailgunSendRequest | MailgunMimeRequest>,
  ) => {
    try {
      const domain = c.req.param("domain") ?? "";
      // A domain is "on the account" when it is listed (as a domain) among the verified senders.
      if (!isSenderVerified(ctx.state(), `postmaster@${domain}`))
        throw new MailgunError(404, `Domain not found: ${domain}`);
      if (ctx.state().paused)
        throw new MailgunError(
          403,
          `Domain ${domain} is not allowed to send: the account is disabled. Please contact support.`,
        );
      let form: FormData;
      try {
        form = await c.req.formData();
      } catch (err) {
        throw new MailgunError(400, `Invalid form data: ${(err as Error).message}`);
      }
      const request = await parse(form);
      const from = request.kind === "messages" ? request.from : null;
      const to = recipientAddresses(
        request.kind === "messages" ? [...request.to, ...request.cc, ...request.bcc] : request.to,
      );
      const fault = await ctx.fault({ from, to }, c.req.raw.signal);
      if (fault === "hung") return c.body(null, 503);
      if (fault) {
        ctx.logger.info({ status: fault.status }, "mailgun fault rule fired");
        const headers: Record<string, string> =
          fault.status === 429 ? { "retry-after": String(fault.retryAfter) } : {};
        return Response.json(
          { message: FAULT_MESSAGES[fault.status] },
          { status: fault.status, headers },
        );
      }
      const id = await sendMailgun(ctx, domain, request, c.get("apiKey"));
      return c.json({ id, message: "Queued. Thank you." });
    } catch (err) {
      return handle(err);
    }
  };

  app.post("/v3/:domain/messages", (c) => send(c, parseMessagesForm));
  app.post("/v3/:domain/messages.mime", (c) => send(c, parseMimeForm));

  const events = (c: Context) => {
    try {
      return c.json(
        listEvents(
          ctx,
          c.req.param("domain") ?? "",
          new URL(c.req.url),
          c.req.param("page") ?? null,
        ),
      );
    } catch (err) {
      return handle(err);
    }
  };
  // One address on the domain's bounce list (https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Bounces/).
  app.get("/v3/:domain/bounces/:address", (c) => {
    const address = decodeURIComponent(c.req.param("address")).toLowerCase();
    if (!isSuppressed(ctx.state(), address))
      return c.json({ message: "Address not found in bounces table" }, 404);
    return c.json({
      address,
      code: "550",
      error: "550 5.1.1 The email account that you tried to reach does not exist.",
      created_at: new Date().toUTCString(),
    });
  });
  app.get("/v3/:domain/events", events);
  app.get("/v3/:domain/events/:page", events);

  app.post("/v1/analytics/logs", async (c) => {
    try {
      let body: unknown;
      try {
        body = JSON.parse((await c.req.text()) || "{}");
      } catch {
        throw new MailgunError(400, "the request body must be JSON");
      }
      return c.json(listLogs(ctx, body));
    } catch (err) {
      return handle(err);
    }
  });

  // Mailgun answers unknown paths with a 404 JSON message.
  app.all("*", (c) =>
    Response.json({ message: `Not Found: ${c.req.method} ${c.req.path}` }, { status: 404 }),
  );

  const handle = (err: unknown): Response => {
    const refusal = refusalOf(err);
    if (refusal) return refuseMailgun(refusal);
    if (isMailgunError(err)) {
      ctx.logger.info({ status: err.status, message: err.message }, "mailgun request rejected");
      return mailgunErrorResponse(err);
    }
    ctx.logger.error({ err }, "mailgun request failed");
    return Response.json({ message: "Internal error; see the mailproof log" }, { status: 500 });
  };

  return new Hono().route("/", app);
}

/** Mailgun answers `{ message }` with the status: 413 for a message too large, 400 for bad input. */
function refuseMailgun(refusal: Parameters<RenderRefusal>[1]): Response {
  if (refusal.kind === "busy")
    return Response.json(
      { message: FAULT_MESSAGES[503] },
      { status: 503, headers: { "retry-after": String(refusal.retryAfter) } },
    );
  return Response.json(
    { message: refusal.message },
    { status: refusal.kind === "too-large" ? 413 : 400 },
  );
}

export const refuseMailgunRequest: RenderRefusal = (_c, refusal) => refuseMailgun(refusal);

/** The password of `Authorization: Basic base64(api:KEY)`; Mailgun's user name is always `api`. */
function basicPassword(header: string | undefined): string | null {
  const match = header?.match(/^Basic\s+(\S+)$/i);
  if (!match) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1 || decoded.slice(0, colon) !== "api") return null;
  return decoded.slice(colon + 1);
}
